#include "ctl/export_stream.hpp"

#include <map>
#include <unistd.h>

#include <fmt/format.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/archive_reader.hpp"
#include "vault/io_chunk.hpp"
#include "vault/sha256.hpp"
#include "vault/zstd_encoder.hpp"

namespace mv::ctl {

namespace {

[[noreturn]] void corrupt(const std::string& what) {
    throw Error(fmt::format("the exported stream is wrong: {}; nothing was exported", what),
                ErrorCode::corrupt);
}

std::string read_all(vault::ArchiveReader& reader, char* buffer) {
    std::string text;
    while (const std::size_t got = reader.read(buffer, vault::k_io_chunk)) {
        if (text.size() + got > vault::k_max_manifest_bytes) {
            corrupt("manifest.json is implausibly large");
        }
        text.append(buffer, got);
    }
    return text;
}

} // namespace

ExportResult export_stream(UniqueFd stream, int out,
                           const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
    ExportResult result;
    vault::ZstdEncoder encoder(3, 0);
    const auto write_out = [&](const char* data, std::size_t size) {
        value_or_throw(fs::write_all(out, data, size, "the export"));
        result.archive_bytes += size;
    };
    // Every byte libarchive reads from the pipe also goes to the compressor: the archive
    // holds exactly the stream that is being checked.
    const int in = stream.get();
    vault::ArchiveReader reader(
        [&](char* buffer, std::size_t size) -> std::size_t {
            ssize_t got = 0;
            do {
                got = ::read(in, buffer, size);
            } while (got < 0 && errno == EINTR);
            if (got < 0) {
                throw Error(errno_message("cannot read the stream", errno), ErrorCode::io);
            }
            encoder.write(buffer, static_cast<std::size_t>(got), write_out);
            return static_cast<std::size_t>(got);
        },
        "the version's stream");
    std::unique_ptr<char[]> buffer(new char[vault::k_io_chunk]);
    const auto first = reader.next();
    if (!first || first->path != "manifest.json") {
        corrupt("it does not start with manifest.json");
    }
    auto manifest = vault::parse_manifest(read_all(reader, buffer.get()));
    if (!manifest) {
        corrupt(manifest.error());
    }
    result.manifest = std::move(*manifest);
    std::map<std::string, const vault::FileEntry*> expected;
    for (const auto& file : result.manifest.files) {
        expected.emplace(file.member(), &file);
    }
    bool readme = false;
    while (auto member = reader.next()) {
        const std::string shown = escape_name(member->path);
        const auto it = expected.find(member->path);
        if (member->path == "README.md" && !readme) {
            readme = true;
            read_all(reader, buffer.get());
            continue;
        }
        if (it == expected.end() || member->type != vault::Member::Type::regular) {
            corrupt(fmt::format("{} is not a file of the manifest", shown));
        }
        vault::Sha256 sha;
        std::uint64_t size = 0;
        while (const std::size_t got = reader.read(buffer.get(), vault::k_io_chunk)) {
            sha.update(buffer.get(), got);
            size += got;
            result.bytes += got;
            if (progress) {
                progress(result.bytes, result.manifest.total_size());
            }
        }
        if (size != it->second->size || sha.hex_digest() != it->second->sha256) {
            corrupt(fmt::format("{} does not match its SHA-256 in the manifest", shown));
        }
        expected.erase(it);
    }
    if (!expected.empty() || !readme) {
        corrupt(fmt::format("{} is missing",
                            expected.empty() ? "README.md" : escape_name(expected.begin()->first)));
    }
    reader.finish();
    encoder.finish(write_out);
    return result;
}

} // namespace mv::ctl
