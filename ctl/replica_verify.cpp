// verify --replica NAME [MODEL[@SEL] | --all] [--read-data]: a replica checked from the
// bucket, without the daemon or the vault (docs/REPLICAS.md). Like `verify`: every
// manifest must hash to its name and parse, and every chunk it lists must be in a pack the
// replica holds with the size its index file says; with --read-data every chunk is also
// fetched, decoded and checked against its name, and every file against its SHA-256.
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/replica_source.hpp"
#include "store/sha256.hpp"

namespace mv::ctl {

namespace {

// What is wrong with one version (empty when nothing).
std::vector<std::string> check_version(ReplicaSource& source, const Locations& where,
                                       const vault::Manifest& manifest, bool read_data) {
    std::vector<std::string> problems;
    if (auto paths = vault::check_stored_paths(manifest); !paths) {
        problems.push_back(paths.error());
    }
    store::CodecContext codec;
    std::vector<std::uint8_t> chunk;
    for (const auto& file : manifest.files) {
        store::Sha256 sha;
        try {
            for (const auto& ref : file.chunks) {
                if (!read_data) {
                    if (!where.contains(ref.id)) {
                        throw Error(fmt::format("chunk {} of {} is in no pack the replica holds",
                                                ref.id.short_hex(), file.path));
                    }
                    continue;
                }
                fetch_chunk(source, where, ref, file.path, codec, chunk);
                sha.update(chunk.data(), chunk.size());
            }
            if (read_data && sha.hex_digest() != file.sha256) {
                throw Error(fmt::format("{} does not match its SHA-256", file.path));
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
    json failed = json::array();
    for (const auto& problem : model.empty() ? damaged : std::vector<std::string>{}) {
        failed.push_back({{"model", ""}, {"version", nullptr}, {"problems", {problem}}});
    }
    for (const auto& manifest : versions) {
        const auto problems = check_version(source, where, manifest, args.has("read-data"));
        if (!problems.empty()) {
            failed.push_back({{"model", manifest.model},
                              {"version", manifest.version.to_string()},
                              {"problems", problems}});
        }
    }
    if (global.json) {
        print_json({{"replica", name},
                    {"checked", versions.size()},
                    {"read_data", args.has("read-data")},
                    {"failed", failed}});
    } else if (failed.empty()) {
        std::printf("replica %s: %zu version(s) intact%s\n", name.c_str(), versions.size(),
                    args.has("read-data") ? " (every chunk read back and checked)" : "");
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
