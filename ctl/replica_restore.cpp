// restore --replica: a version's files read from the replica's packs (docs/FORMAT.md),
// each chunk fetched with a ranged GET, decoded and checked against its name, then handed
// as a tar stream to vault::extract_verified, which checks every file's SHA-256 before
// anything lands in the target, exactly as a restore from the daemon.
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>

#include <fmt/format.h>

#include "ctl/replica_source.hpp"
#include "store/codec.hpp"
#include "store/index_format.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "vault/extract.hpp"
#include "vault/json_text.hpp"
#include "vault/readme.hpp"
#include "vault/tar_stream.hpp"

namespace mv::ctl {

Locations locate_chunks(ReplicaSource& source) {
    s3::Client& client = *source.client;
    std::vector<std::string> indexes;
    std::unordered_map<std::string, std::uint64_t> packs;
    client.list("", [&](const s3::ListedObject& object) {
        if (object.key.starts_with("index/")) {
            indexes.push_back(object.key);
        } else if (object.key.starts_with("packs/")) {
            packs[object.key] = object.size;
        }
    });
    Locations found;
    for (const auto& key : indexes) {
        const std::string bytes = client.get(key, std::nullopt, 1u << 30);
        // An encrypted vault's index files are sealed whole (docs/FORMAT.md).
        auto plain = source.sealing.open(crypto::Role::index, {}, store::as_bytes(bytes));
        auto parsed = plain ? store::parse_index(*plain)
                            : Result<std::vector<store::IndexedPack>>(failure(plain.error()));
        if (!parsed || store::Digest::sha256_of(store::as_bytes(bytes)).hex() != key.substr(6)) {
            std::fprintf(stderr, "warning: %s on the replica is damaged; skipped\n", key.c_str());
            continue;
        }
        for (const auto& pack : *parsed) {
            const std::string hex = pack.id.hex();
            const std::string pack_key = "packs/" + hex.substr(0, 2) + "/" + hex;
            const auto listed = packs.find(pack_key);
            if (listed != packs.end() && listed->second != pack.size) {
                std::fprintf(stderr,
                             "warning: %s on the replica has %llu bytes, its index says "
                             "%llu; its chunks are not used\n",
                             pack_key.c_str(), static_cast<unsigned long long>(listed->second),
                             static_cast<unsigned long long>(pack.size));
            }
            if (listed != packs.end() && listed->second == pack.size) {
                for (const auto& blob : pack.blobs) {
                    found.emplace(blob.id, Located{pack_key, blob});
                }
            }
        }
    }
    return found;
}

void fetch_chunk(ReplicaSource& source, const Locations& where, const vault::ChunkRef& ref,
                 const std::string& file, store::CodecContext& codec,
                 std::vector<std::uint8_t>& chunk) {
    const auto found = where.find(ref.id);
    if (found == where.end()) {
        throw Error(fmt::format("chunk {} of {} is in no pack the replica holds: the replica is "
                                "incomplete (run `verify` where the vault is)",
                                ref.id.short_hex(), file),
                    ErrorCode::corrupt);
    }
    const auto& blob = found->second.blob;
    const std::string stored = source.client->get(
        found->second.pack, s3::ByteRange{blob.offset, blob.stored_length}, blob.stored_length);
    chunk.resize(ref.size);
    std::vector<std::uint8_t> scratch;
    const auto opened = source.sealing.open_blob(ref.id, store::as_bytes(stored), scratch);
    const auto decoded = opened ? store::decode_chunk(*opened, blob.codec, chunk, codec)
                                : Result<void>(failure(opened.error()));
    if (!decoded || source.namer->name(chunk) != ref.id) {
        throw Error(fmt::format("chunk {} of {} in {} on the replica is damaged",
                                ref.id.short_hex(), file, found->second.pack),
                    ErrorCode::corrupt);
    }
}

namespace {

// The version as the daemon streams it (vault/tar_stream.hpp), from the replica.
void write_tar(ReplicaSource& source, const Locations& where, const vault::Manifest& manifest,
               vault::TarWriter& tar) {
    const auto ns = [](SystemTime time) {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch())
            .count();
    };
    const std::string text = vault::json_text(vault::to_json(manifest), 2) + "\n";
    tar.begin("manifest.json", text.size(), 0644, ns(manifest.created));
    tar.write(text.data(), text.size());
    store::CodecContext codec;
    std::vector<std::uint8_t> chunk;
    for (const auto& file : manifest.files) {
        tar.begin(file.member(), file.size, file.mode, file.mtime_ns);
        for (const auto& ref : file.chunks) {
            fetch_chunk(source, where, ref, file.path, codec, chunk);
            tar.write(chunk.data(), chunk.size());
        }
    }
    const std::string readme = vault::render_readme(manifest);
    tar.begin("README.md", readme.size(), 0644, ns(manifest.created));
    tar.write(readme.data(), readme.size());
    tar.finish();
}

} // namespace

std::vector<std::filesystem::path> restore_from_replica(ReplicaSource& source,
                                                        const vault::Manifest& manifest,
                                                        const std::filesystem::path& target,
                                                        bool force) {
    if (manifest.storage.chunk_names != source.namer->scheme()) {
        throw Error(fmt::format("{} {} names its chunks by {}, its replica's vault by {}: the "
                                "replica is damaged (run `verify --replica`)",
                                manifest.model, manifest.version.to_string(),
                                manifest.storage.chunk_names, source.namer->scheme()),
                    ErrorCode::corrupt);
    }
    const Locations where = locate_chunks(source);
    // A socket pair, not a pipe: send() with MSG_NOSIGNAL fails instead of raising SIGPIPE
    // when the extraction stopped reading (a refused target).
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
        throw Error(errno_message("cannot create a socket pair", errno), ErrorCode::io);
    }
    UniqueFd read_end(ends[0]);
    UniqueFd write_end(ends[1]);
    std::exception_ptr failed;
    std::thread writer([&] {
        try {
            vault::TarWriter tar(
                [&](const char* data, std::size_t size) {
                    for (std::size_t done = 0; done < size;) {
                        const ssize_t n =
                            ::send(write_end.get(), data + done, size - done, MSG_NOSIGNAL);
                        if (n < 0 && errno == EINTR) {
                            continue;
                        }
                        if (n <= 0) {
                            throw Error("the restore stopped reading", ErrorCode::cancelled);
                        }
                        done += static_cast<std::size_t>(n);
                    }
                },
                vault::MemberNames::binary);
            write_tar(source, where, manifest, tar);
        } catch (...) {
            failed = std::current_exception();
        }
        write_end.reset();
    });
    std::vector<std::filesystem::path> files;
    try {
        files = vault::extract_verified(std::move(read_end), manifest, target,
                                        force ? vault::Overwrite::yes : vault::Overwrite::no)
                    .files;
    } catch (...) {
        writer.join();
        if (failed) {
            std::rethrow_exception(failed); // the replica's failure, not the torn stream
        }
        throw;
    }
    // Every file was checked against the manifest: what the writer did after the reader
    // stopped (the tar's end padding) does not matter.
    writer.join();
    return files;
}

} // namespace mv::ctl
