#include "vault/export_stream.hpp"

#include <map>
#include <unistd.h>

#include <fmt/format.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/io_chunk.hpp"
#include "vault/manifest_signature.hpp"
#include "vault/sha256.hpp"
#include "vault/zstd_encoder.hpp"

namespace mv::vault {

namespace {

Result<std::string> read_all(ArchiveReader& reader, char* buffer, std::string_view name) {
    std::string text;
    while (const std::size_t got = reader.read(buffer, k_io_chunk)) {
        if (text.size() + got > k_max_manifest_bytes) {
            return failure(fmt::format("{} is implausibly large", name));
        }
        text.append(buffer, got);
    }
    return text;
}

// Reads the current member to its end; the failure says that it is not the file `entry`.
Result<std::uint64_t> check_file(ArchiveReader& reader, const FileEntry& entry, char* buffer,
                                 const std::function<void(std::uint64_t)>& read) {
    Sha256 sha;
    std::uint64_t size = 0;
    while (const std::size_t got = reader.read(buffer, k_io_chunk)) {
        sha.update(buffer, got);
        size += got;
        read(got);
    }
    if (size != entry.size || sha.hex_digest() != entry.sha256) {
        return failure(fmt::format("{} does not match its SHA-256 in the manifest",
                                   escape_name(entry.member())));
    }
    return size;
}

} // namespace

Result<ExportResult> check_version_archive(ArchiveReader& reader, const ByteProgress& progress) {
    ExportResult result;
    std::unique_ptr<char[]> buffer(new char[k_io_chunk]);
    const auto first = reader.next();
    if (!first || first->path != "manifest.json") {
        return failure("it does not start with manifest.json");
    }
    auto text = read_all(reader, buffer.get(), "manifest.json");
    if (!text) {
        return failure(text.error());
    }
    auto manifest = parse_manifest(*text);
    if (!manifest) {
        return failure(manifest.error());
    }
    result.manifest = std::move(*manifest);
    result.manifest_text = std::move(*text);
    std::map<std::string, const FileEntry*> expected;
    for (const auto& file : result.manifest.files) {
        expected.emplace(file.member(), &file);
    }
    bool readme = false;
    bool signature = false;
    while (auto member = reader.next()) {
        const auto it = expected.find(member->path);
        if ((member->path == "README.md" && !readme) ||
            (member->path == k_signature_member && !signature)) {
            auto content = read_all(reader, buffer.get(), member->path);
            if (!content) {
                return failure(content.error());
            }
            (member->path == "README.md" ? readme : signature) = true;
            if (member->path != "README.md") {
                result.signature = std::move(*content);
            }
            continue;
        }
        if (it == expected.end() || member->type != Member::Type::regular) {
            return failure(
                fmt::format("{} is not a file of the manifest", escape_name(member->path)));
        }
        auto checked = check_file(reader, *it->second, buffer.get(), [&](std::uint64_t got) {
            result.bytes += got;
            if (progress) {
                progress(result.bytes, result.manifest.total_size());
            }
        });
        if (!checked) {
            return failure(checked.error());
        }
        expected.erase(it);
    }
    if (!expected.empty() || !readme) {
        return failure(fmt::format("{} is missing", expected.empty()
                                                        ? "README.md"
                                                        : escape_name(expected.begin()->first)));
    }
    return result;
}

ExportResult export_stream(UniqueFd stream, int out, const ByteProgress& progress) {
    ZstdEncoder encoder(3, 0);
    std::uint64_t archive_bytes = 0;
    const auto write_out = [&](const char* data, std::size_t size) {
        value_or_throw(fs::write_all(out, data, size, "the export"));
        archive_bytes += size;
    };
    // Every byte libarchive reads from the pipe also goes to the compressor: the archive
    // holds exactly the stream that is being checked.
    const int in = stream.get();
    ArchiveReader reader(
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
    reader.hash_archive(false); // a stream has no archive hash to check (archive_reader.hpp)
    auto result = check_version_archive(reader, progress);
    if (!result) {
        throw Error(
            fmt::format("the exported stream is wrong: {}; nothing was exported", result.error()),
            ErrorCode::corrupt);
    }
    reader.finish();
    encoder.finish(write_out);
    result->archive_bytes = archive_bytes;
    return std::move(*result);
}

} // namespace mv::vault
