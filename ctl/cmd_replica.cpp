// modelvaultctl list --replica NAME: the versions an off-site replica holds, read from the
// bucket itself with the config's replica and credentials file (docs/REPLICAS.md), so it
// works when the daemon, or the whole machine, is gone.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"
#include "ctl/replica_source.hpp"
#include "s3/client.hpp"
#include "s3/failure.hpp"
#include "store/digest.hpp"
#include "util/time.hpp"
#include "vault/compat.hpp"
#include "vault/history.hpp"
#include "vault/manifest.hpp"
#include "vault/manifest_file.hpp"
#include "vault/model_id.hpp"
#include "vault/selector.hpp"

namespace mv::ctl {

std::vector<vault::Manifest> replica_versions(ReplicaSource& source, const std::string& model,
                                              std::vector<std::string>* damaged) {
    s3::Client& client = *source.client;
    std::vector<std::string> keys;
    client.list("manifests/", [&](const s3::ListedObject& object) { keys.push_back(object.key); });
    std::vector<vault::Manifest> versions;
    for (const auto& key : keys) {
        const std::string text = client.get(key, std::nullopt, vault::k_max_manifest_bytes);
        const std::string hex = store::Digest::sha256_of(store::as_bytes(text)).hex();
        auto plain = key == "manifests/" + hex + ".json"
                         ? vault::open_manifest_bytes(text, source.sealing)
                         : Result<std::string>(failure("it does not hash to its name"));
        auto manifest =
            plain ? vault::parse_manifest(*plain) : Result<vault::Manifest>(failure(plain.error()));
        if (!manifest) {
            const std::string problem =
                fmt::format("{} on the replica is damaged ({})", key, manifest.error());
            if (damaged != nullptr) {
                damaged->push_back(problem);
            } else {
                std::fprintf(stderr, "warning: %s; skipped\n", problem.c_str());
            }
            continue;
        }
        if (model.empty() || manifest->model == model) {
            versions.push_back(std::move(*manifest));
        }
    }
    std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
        return a.model != b.model ? a.model < b.model : a.sequence < b.sequence;
    });
    return versions;
}

namespace {

// The same bound as the daemon's when it opens a history (vault/vault_recover.cpp).
constexpr std::size_t k_max_history_bytes = 64u << 20;

// The model's `best` and `current`, replayed from its history on the replica (histories
// are replicated, docs/REPLICAS.md); none when the model has no history there.
vault::Pointers replica_pointers(s3::Client& client, const std::string& model) {
    const auto id = vault::ModelId::parse(model);
    if (!id) {
        return {};
    }
    const std::string key = (id->vault_dir() / vault::k_history_file).generic_string();
    std::string text;
    try {
        text = client.get(key, std::nullopt, k_max_history_bytes);
    } catch (const s3::S3Error& e) {
        if (e.kind() == s3::FailureKind::not_found) {
            return {};
        }
        throw;
    }
    std::vector<std::string> problems;
    const auto records = vault::parse_history(text, problems);
    for (const auto& problem : problems) {
        std::fprintf(stderr, "warning: %s on the replica: %s (line ignored)\n", key.c_str(),
                     problem.c_str());
    }
    return {vault::pointer_value(records, vault::Pointer::best),
            vault::pointer_value(records, vault::Pointer::current)};
}

} // namespace

vault::Manifest select_on_replica(ReplicaSource& source,
                                  const std::vector<vault::Manifest>& versions,
                                  const std::string& model, const std::string& selector) {
    const vault::Pointers pointers = selector == "best" || selector == "current"
                                         ? replica_pointers(*source.client, model)
                                         : vault::Pointers{};
    auto manifest = vault::select_version(versions, model, selector, pointers);
    if (!manifest) {
        throw Error(manifest.error() + " on replica " + source.name, ErrorCode::not_found);
    }
    return std::move(*manifest);
}

int list_replica(const GlobalOptions& global, const ParsedArgs& args, const std::string& name) {
    for (const char* filter : {"tag", "since", "until", "where", "sort", "compatible-with"}) {
        if (args.has(filter)) {
            throw UsageError(
                fmt::format("list --replica takes [MODEL] and --limit N, not --{}", filter));
        }
    }
    auto source = open_replica(global, name);
    const auto& client = source.client;
    auto versions = replica_versions(
        source, args.positional().empty() ? "" : model_argument(args.positional()[0]));
    // Newest first per model, as `list` shows them.
    std::stable_sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
        return a.model != b.model ? a.model < b.model : a.sequence > b.sequence;
    });
    if (auto limit = args.value("limit")) {
        std::size_t most = 0;
        try {
            most = std::stoull(*limit);
        } catch (const std::exception&) {
            throw UsageError(fmt::format("list: --limit needs a number, got \"{}\"", *limit));
        }
        versions.resize(std::min(versions.size(), most));
    }
    if (global.json) {
        json listed = json::array();
        for (const auto& manifest : versions) {
            json entry = to_json(manifest, false);
            entry["size"] = manifest.total_size();
            listed.push_back(std::move(entry));
        }
        print_json(
            {{"replica", name}, {"where", s3::describe(client->location())}, {"versions", listed}});
        return k_exit_ok;
    }
    if (versions.empty()) {
        std::printf("replica %s (%s) holds no version\n", name.c_str(),
                    s3::describe(client->location()).c_str());
        return k_exit_ok;
    }
    Table table({"MODEL", "VERSION", "CREATED", "TRIGGER", "SIZE"});
    for (const auto& m : versions) {
        table.add({m.model, m.version.to_string(), local_time(format_utc(m.created)),
                   vault::to_string(m.trigger), format_bytes(m.total_size())});
    }
    std::fputs(table.render().c_str(), stdout);
    return k_exit_ok;
}

int restore_replica(const GlobalOptions& global, const ParsedArgs& args, const std::string& name) {
    // Read first: a file that cannot be read is a usage error before any request.
    const auto compat_file = args.value("compatible-with");
    const json run = compat_file ? run_compat_argument(*compat_file) : json();
    const std::string& argument = args.positional()[0];
    const auto at = argument.rfind('@');
    const std::string model = model_argument(argument.substr(0, at));
    const std::string selector = at == std::string::npos ? "" : argument.substr(at + 1);
    auto source = open_replica(global, name);
    const auto versions = replica_versions(source, model);
    if (versions.empty()) {
        throw Error(fmt::format("replica {} holds no version of {}; `list --replica {}` shows "
                                "what it holds",
                                name, model, name),
                    ErrorCode::not_found);
    }
    const auto manifest = select_on_replica(source, versions, model, selector);
    if (compat_file) {
        vault::require_compatible(compat_rule_of(source, model), manifest, versions,
                                  run["name"].get<std::string>(), run["document"],
                                  " --replica " + name);
    }
    const std::filesystem::path to = *args.value("to");
    const auto files = restore_from_replica(source, manifest, to, args.has("force"));
    json listed = json::array();
    for (const auto& path : files) {
        listed.push_back(path.string());
    }
    if (global.json) {
        print_json({{"model", manifest.model},
                    {"version", manifest.version.to_string()},
                    {"replica", name},
                    {"directory", to.string()},
                    {"files", listed},
                    {"bytes", manifest.total_size()},
                    {"verified", true}});
        return k_exit_ok;
    }
    std::printf("restored %s %s from replica %s into %s (%zu file%s, %s, SHA-256 verified):\n",
                manifest.model.c_str(), manifest.version.to_string().c_str(), name.c_str(),
                to.c_str(), files.size(), files.size() == 1 ? "" : "s",
                format_bytes(manifest.total_size()).c_str());
    for (const auto& file : listed) {
        std::printf("  %s\n", file.get<std::string>().c_str());
    }
    return k_exit_ok;
}

} // namespace mv::ctl
