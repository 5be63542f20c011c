// libFuzzer harness: the archive reader (vault/archive_reader.hpp) and the verified
// extraction built on it (vault/extract.hpp), which unpacks what `import` takes and what
// a restore streams. The expected manifest is the archive's own manifest.json when it has
// a readable one, so that mutated archives reach the member-by-member comparisons.
// Oracles: a damaged archive is reported as an Error, never anything else; an archive
// that extracts yields every file of its manifest; and a failed extraction leaves
// nothing in the target.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/fd.hpp"
#include "vault/archive_reader.hpp"
#include "vault/extract.hpp"

namespace {

namespace stdfs = std::filesystem;

// The archive's first member, parsed as a manifest, when it is one.
std::optional<mv::vault::Manifest> embedded_manifest(std::string_view bytes) {
    try {
        mv::vault::ArchiveReader reader(
            [bytes](char* buffer, std::size_t size) mutable {
                const std::size_t n = std::min(size, bytes.size());
                std::copy_n(bytes.data(), n, buffer);
                bytes.remove_prefix(n);
                return n;
            },
            "fuzz");
        const auto first = reader.next();
        if (!first || first->path != "manifest.json") {
            return std::nullopt;
        }
        std::string text;
        char buffer[4096];
        while (const std::size_t got = reader.read(buffer, sizeof buffer)) {
            if (text.size() > (1u << 20)) {
                return std::nullopt;
            }
            text.append(buffer, got);
        }
        while (reader.next()) {
            // the rest of the archive, through the same reader
        }
        auto manifest = mv::vault::parse_manifest(text);
        return manifest ? std::optional(std::move(*manifest)) : std::nullopt;
    } catch (const mv::Error&) {
        return std::nullopt;
    }
}

mv::UniqueFd memory_file(std::string_view bytes) {
    mv::UniqueFd fd(::memfd_create("fuzz-archive", MFD_CLOEXEC));
    if (!fd ||
        ::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
        ::lseek(fd.get(), 0, SEEK_SET) != 0) {
        std::abort();
    }
    return fd; // read from the start, as a restore reads the daemon's descriptor
}

// Extracts into a fresh folder (on tmpfs when there is one: a restore fsyncs every file).
void check_extracts(std::string_view bytes, const std::optional<mv::vault::Manifest>& expected) {
    char pattern[] = "/dev/shm/mv-fuzz-extract-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        std::abort();
    }
    const stdfs::path target = stdfs::path(pattern) / "out";
    try {
        const auto result = mv::vault::extract_verified(memory_file(bytes), expected, target,
                                                        mv::vault::Overwrite::no);
        if (expected && result.files.size() != expected->files.size()) {
            __builtin_trap();
        }
    } catch (const mv::Error&) {
        // refused: nothing may have landed
        if (stdfs::exists(target) && !stdfs::is_empty(target)) {
            std::fprintf(stderr, "a refused archive left files in the target\n");
            __builtin_trap();
        }
    }
    stdfs::remove_all(pattern);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check_extracts(bytes, embedded_manifest(bytes));
    return 0;
}
