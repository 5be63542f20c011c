// Opening a replica from modelvaultctl (docs/REPLICAS.md, "Recovery"): the config's
// replica and credentials file, and for an encrypted vault's replica its key, so that
// list, restore and verify --replica read it with neither the daemon nor the vault.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/load.hpp"
#include "crypto/key_file.hpp"
#include "crypto/key_record.hpp"
#include "ctl/command_impl.hpp"
#include "ctl/replica_source.hpp"
#include "s3/credentials.hpp"
#include "s3/failure.hpp"
#include "vault/model_id.hpp"

namespace mv::ctl {

namespace {

config::Config load_daemon_config(const GlobalOptions& global) {
    try {
        return config::load_config(global.config);
    } catch (const config::ConfigError& e) {
        throw UsageError(
            fmt::format("--replica needs the daemon's config file, and {} cannot "
                        "be read: {}; name it with --config FILE",
                        global.config.string(),
                        e.problems().empty() ? e.what() : e.problems().front().to_string()));
    }
}

// vault.json on the replica says whether its vault is encrypted (docs/FORMAT.md); a
// replica without one holds no vault yet, which the reads below then say.
bool holds_encrypted_vault(s3::Client& client) {
    std::string marker;
    try {
        marker = client.get("vault.json", std::nullopt, 1u << 20);
    } catch (const s3::S3Error& e) {
        if (e.kind() == s3::FailureKind::not_found) {
            return false;
        }
        throw;
    }
    const auto parsed = nlohmann::json::parse(marker, nullptr, false);
    return parsed.is_object() && parsed.value("encrypted", false) == true;
}

// The master key, unwrapped with `user` from one of the key records on the replica
// (keys/<16 hex>.json, replicated with the data).
std::shared_ptr<const crypto::MasterKey> unlock(s3::Client& client, const crypto::UserKey& user,
                                                const std::string& name) {
    std::vector<std::string> records;
    client.list("keys/", [&](const s3::ListedObject& object) {
        const std::string_view file = std::string_view(object.key).substr(5);
        if (file.size() == 21 && file.ends_with(".json") &&
            crypto::is_record_id(file.substr(0, 16))) {
            records.push_back(object.key);
        }
    });
    for (const auto& key : records) {
        auto record = crypto::parse_key_record(client.get(key, std::nullopt, 1u << 20));
        if (!record) {
            std::fprintf(stderr, "warning: %s on replica %s: %s; skipped\n", key.c_str(),
                         name.c_str(), record.error().c_str());
            continue;
        }
        auto master = crypto::unwrap_master_key(*record, user);
        if (!master) {
            throw Error(master.error(), ErrorCode::internal);
        }
        if (*master) {
            return std::make_shared<const crypto::MasterKey>(std::move(**master));
        }
    }
    throw Error(fmt::format("{} opens none of the {} key record(s) on replica {} (keys/): "
                            "name the vault's key file in `encryption.key_file` of the "
                            "config (docs/CONFIG.md)",
                            user.file.string(), records.size(), name),
                ErrorCode::forbidden);
}

void open_encryption(ReplicaSource& source, const config::Config& config) {
    if (!config.encryption) {
        throw Error(fmt::format("replica {} holds an encrypted vault, and {} names no key file: "
                                "set `encryption.key_file` there to the vault's key file "
                                "(docs/CONFIG.md), or pass a config that does with --config FILE",
                                source.name, config.source.string()),
                    ErrorCode::invalid_config);
    }
    auto user = crypto::read_user_key(config.encryption->key_file);
    if (!user) {
        throw Error(user.error(), ErrorCode::invalid_config);
    }
    const auto master = unlock(*source.client, *user, source.name);
    source.sealing = store::Sealing(master);
    source.namer = std::make_unique<store::KeyedNamer>(*master);
}

} // namespace

ReplicaSource open_replica(const GlobalOptions& global, const std::string& name) {
    const config::Config config = load_daemon_config(global);
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
    ReplicaSource source;
    source.name = name;
    source.client = std::make_unique<s3::Client>(
        s3::Location{found->s3.endpoint, found->s3.bucket, found->s3.prefix, found->s3.region},
        *credentials, options);
    source.namer = std::make_unique<store::Sha256Namer>();
    for (const auto& watch : config.watches) {
        if (watch.compat) {
            source.compat_rules.emplace(watch.name, *watch.compat);
        }
    }
    if (holds_encrypted_vault(*source.client)) {
        open_encryption(source, config);
    }
    return source;
}

std::optional<config::Compat> compat_rule_of(const ReplicaSource& source,
                                             const std::string& model) {
    const auto id = vault::ModelId::parse(model);
    const auto rule = id ? source.compat_rules.find(id->watch) : source.compat_rules.end();
    if (rule == source.compat_rules.end()) {
        return std::nullopt;
    }
    return rule->second;
}

} // namespace mv::ctl
