// verify --replica NAME [MODEL[@SEL] | --all] [--read-data]: a replica checked from the
// bucket, without the daemon or the vault (docs/REPLICAS.md). Like `verify`: every
// manifest must hash to its name and parse, and every chunk it lists must be in a pack the
// replica holds with the size its index file says; with --read-data every chunk is also
// fetched, decoded and checked against its name, and every file against its SHA-256.
#include <cstdio>

#include <fmt/format.h>

#include "ctl/chunk_cache.hpp"
#include "ctl/command_impl.hpp"
#include "ctl/replica_source.hpp"
#include "store/sha256.hpp"

namespace mv::ctl {

namespace {

// Decoded chunks kept by --read-data: a model of this size or less is fetched once
// however many versions share its chunks.
constexpr std::uint64_t k_cache_budget = 256u << 20;

// What --read-data fetched, and what it did not fetch again.
struct ReadStats {
    std::uint64_t chunks_fetched = 0;
    std::uint64_t bytes_fetched = 0; ///< decoded
    std::uint64_t chunks_reused = 0;
    std::uint64_t files_known = 0; ///< identical to a file already checked
};

// Reads `file` from the replica, each chunk checked against its name, and the whole
// against its SHA-256.
void read_file_back(ReplicaSource& source, const Locations& where, const vault::FileEntry& file,
                    ChunkCache& cache, ReadStats& stats) {
    if (cache.file_checked(file)) {
        ++stats.files_known;
        return;
    }
    store::CodecContext codec;
    std::vector<std::uint8_t> chunk;
    store::Sha256 sha;
    for (const auto& ref : file.chunks) {
        if (const auto* kept = cache.find(ref.id)) {
            ++stats.chunks_reused;
            sha.update(kept->data(), kept->size());
            continue;
        }
        fetch_chunk(source, where, ref, file.path, codec, chunk);
        ++stats.chunks_fetched;
        stats.bytes_fetched += chunk.size();
        sha.update(chunk.data(), chunk.size());
        cache.keep(ref.id, chunk);
    }
    if (sha.hex_digest() != file.sha256) {
        throw Error(fmt::format("{} does not match its SHA-256", file.path));
    }
    cache.mark_checked(file);
}

// What is wrong with one version (empty when nothing). `cache` is null without
// --read-data.
std::vector<std::string> check_version(ReplicaSource& source, const Locations& where,
                                       const vault::Manifest& manifest, ChunkCache* cache,
                                       ReadStats& stats) {
    std::vector<std::string> problems;
    if (auto paths = vault::check_stored_paths(manifest); !paths) {
        problems.push_back(paths.error());
    }
    for (const auto& file : manifest.files) {
        try {
            if (cache != nullptr) {
                read_file_back(source, where, file, *cache, stats);
                continue;
            }
            for (const auto& ref : file.chunks) {
                if (!where.contains(ref.id)) {
                    throw Error(fmt::format("chunk {} of {} is in no pack the replica holds",
                                            ref.id.short_hex(), file.path));
                }
            }
        } catch (const s3::S3Error&) {
            throw; // the replica cannot be read: not a verdict on the version
        } catch (const Error& e) {
            problems.emplace_back(e.what());
        }
    }
    return problems;
}

} // namespace

int verify_replica(const GlobalOptions& global, const ParsedArgs& args, const std::string& name) {
    auto source = open_replica(global, name);
    std::string model;
    std::string selector;
    if (!args.positional().empty()) {
        const std::string& argument = args.positional()[0];
        const auto at = argument.rfind('@');
        model = model_argument(argument.substr(0, at));
        selector = at == std::string::npos ? "" : argument.substr(at + 1);
    }
    std::vector<std::string> damaged;
    auto versions = replica_versions(source, model, &damaged);
    if (!selector.empty()) {
        versions = {select_on_replica(source, versions, model, selector)};
    }
    const Locations where = locate_chunks(source);
    const bool read_data = args.has("read-data");
    ChunkCache cache(k_cache_budget);
    ReadStats stats;
    json failed = json::array();
    for (const auto& problem : model.empty() ? damaged : std::vector<std::string>{}) {
        failed.push_back({{"model", ""}, {"version", nullptr}, {"problems", {problem}}});
    }
    for (const auto& manifest : versions) {
        const auto problems =
            check_version(source, where, manifest, read_data ? &cache : nullptr, stats);
        if (!problems.empty()) {
            failed.push_back({{"model", manifest.model},
                              {"version", manifest.version.to_string()},
                              {"problems", problems}});
        }
    }
    if (global.json) {
        json result = {{"replica", name},
                       {"checked", versions.size()},
                       {"read_data", read_data},
                       {"failed", failed}};
        if (read_data) {
            result["fetched"] = {{"chunks", stats.chunks_fetched}, {"bytes", stats.bytes_fetched}};
            result["reused"] = {{"chunks", stats.chunks_reused}, {"files", stats.files_known}};
        }
        print_json(result);
    } else if (failed.empty()) {
        std::printf("replica %s: %zu version(s) intact%s\n", name.c_str(), versions.size(),
                    read_data ? fmt::format(" (every chunk read back and checked: {} chunk(s), {}, "
                                            "fetched; {} chunk(s) kept from an earlier version; {} "
                                            "file(s) identical to one already checked)",
                                            stats.chunks_fetched, format_bytes(stats.bytes_fetched),
                                            stats.chunks_reused, stats.files_known)
                                    .c_str()
                              : "");
    } else {
        for (const auto& version : failed) {
            for (const auto& problem : version["problems"]) {
                std::printf("%s %s: %s\n", version["model"].get<std::string>().c_str(),
                            version["version"].is_string()
                                ? version["version"].get<std::string>().c_str()
                                : "-",
                            problem.get<std::string>().c_str());
            }
        }
        std::printf("replica %s: %zu of %zu version(s) failed\n", name.c_str(), failed.size(),
                    versions.size());
    }
    return failed.empty() ? k_exit_ok : k_exit_failure;
}

} // namespace mv::ctl
