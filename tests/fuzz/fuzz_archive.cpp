// libFuzzer harness: the archive reader (vault/archive_reader.hpp) and the two readers
// built on it, verification (vault/verify.hpp) and the verified extraction of a restore
// (vault/extract.hpp). The expected manifest is the archive's own manifest.json when it
// has a readable one, so that mutated archives reach the member-by-member comparisons.
// Oracles: a damaged archive is reported, never thrown out of verify_archive(); and an
// archive that verifies must also extract, every file with its manifest's SHA-256.
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
#include "vault/verify.hpp"

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

// A verified archive must restore: same files, same hashes, nothing refused.
void check_extracts(std::string_view bytes, mv::vault::Manifest manifest,
                    const mv::vault::VerifyResult& verified) {
    manifest.archive.size = verified.archive_size;
    manifest.archive.sha256 = verified.archive_sha256;
    // On tmpfs when there is one: a restore fsyncs every file it writes.
    char pattern[] = "/dev/shm/mv-fuzz-extract-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        std::abort();
    }
    const stdfs::path target = stdfs::path(pattern) / "out";
    try {
        const auto result = mv::vault::extract_verified(memory_file(bytes), manifest, target,
                                                        mv::vault::Overwrite::no);
        if (result.files.size() != manifest.files.size()) {
            __builtin_trap();
        }
    } catch (const mv::Error& e) {
        std::fprintf(stderr, "verify passed what a restore refuses: %s\n", e.what());
        __builtin_trap();
    }
    stdfs::remove_all(pattern);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto embedded = embedded_manifest(bytes);
    mv::vault::Manifest expected;
    if (embedded) {
        expected = *embedded;
    } else {
        expected.model = "lab/dqn.pkl";
        expected.files.push_back({"dqn.pkl", mv::vault::FileRole::model, 0, 0644, 0,
                                  std::string(64, '0'), "pickle", false});
    }
    expected.archive.size = 0;
    expected.archive.sha256.clear();
    // verify_archive() opens a path (without following links, so not /proc/self/fd/N).
    static const stdfs::path path =
        stdfs::path("/dev/shm") / ("mv-fuzz-archive-" + std::to_string(::getpid()));
    {
        mv::UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!file ||
            ::write(file.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
            std::abort();
        }
    }
    const auto verified = mv::vault::verify_archive(path, expected, std::stop_token());
    if (verified.ok() && embedded) {
        check_extracts(bytes, expected, verified);
    }
    return 0;
}
