// modelvaultctl list --replica NAME: the versions an off-site replica holds, read from the
// bucket itself with the config's replica and credentials file (docs/REPLICAS.md), so it
// works when the daemon, or the whole machine, is gone.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "config/load.hpp"
#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"
#include "s3/client.hpp"
#include "s3/credentials.hpp"
#include "store/digest.hpp"
#include "util/time.hpp"
#include "vault/manifest.hpp"

namespace mv::ctl {

namespace {

// The replica `name` of the daemon's config file, and a client of it.
std::unique_ptr<s3::Client> open_replica(const GlobalOptions& global, const std::string& name) {
    config::Config config;
    try {
        config = config::load_config(global.config);
    } catch (const config::ConfigError& e) {
        throw UsageError(
            fmt::format("--replica needs the daemon's config file, and {} cannot "
                        "be read: {}; name it with --config FILE",
                        global.config.string(),
                        e.problems().empty() ? e.what() : e.problems().front().to_string()));
    }
    const auto found = std::find_if(config.replicas.begin(), config.replicas.end(),
                                    [&](const config::Replica& r) { return r.name == name; });
    if (found == config.replicas.end()) {
        throw UsageError(fmt::format("{} has no replica named \"{}\"; see `replicas` in "
                                     "docs/CONFIG.md",
                                     global.config.string(), name));
    }
    auto credentials = s3::load_credentials(found->s3.credentials_file);
    if (!credentials) {
        throw Error(credentials.error(), ErrorCode::invalid_config);
    }
    s3::ClientOptions options;
    options.credentials_file = found->s3.credentials_file.string();
    return std::make_unique<s3::Client>(
        s3::Location{found->s3.endpoint, found->s3.bucket, found->s3.prefix, found->s3.region},
        *credentials, options);
}

// Every manifest on the replica, checked against its name; damaged ones are warned about.
std::vector<vault::Manifest> replica_versions(s3::Client& client, const std::string& model) {
    std::vector<std::string> keys;
    client.list("manifests/", [&](const s3::ListedObject& object) { keys.push_back(object.key); });
    std::vector<vault::Manifest> versions;
    for (const auto& key : keys) {
        const std::string text = client.get(key, std::nullopt, vault::k_max_manifest_bytes);
        const std::string hex = store::Digest::sha256_of(store::as_bytes(text)).hex();
        auto manifest = key == "manifests/" + hex + ".json"
                            ? vault::parse_manifest(text)
                            : Result<vault::Manifest>(failure("it does not hash to its name"));
        if (!manifest) {
            std::fprintf(stderr, "warning: %s on the replica is damaged (%s); skipped\n",
                         key.c_str(), manifest.error().c_str());
            continue;
        }
        if (model.empty() || manifest->model == model) {
            versions.push_back(std::move(*manifest));
        }
    }
    std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
        return a.model != b.model ? a.model < b.model : a.sequence > b.sequence;
    });
    return versions;
}

} // namespace

int list_replica(const GlobalOptions& global, const ParsedArgs& args, const std::string& name) {
    for (const char* filter : {"tag", "since", "until", "where", "sort", "compatible-with"}) {
        if (args.has(filter)) {
            throw UsageError(
                fmt::format("list --replica takes [MODEL] and --limit N, not --{}", filter));
        }
    }
    const auto client = open_replica(global, name);
    auto versions = replica_versions(
        *client, args.positional().empty() ? "" : model_argument(args.positional()[0]));
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

} // namespace mv::ctl
