#include "daemon/replicas.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "notify/event.hpp"
#include "replica/recover.hpp"
#include "s3/credentials.hpp"

namespace mv::daemon {

namespace {

using json = nlohmann::json;

json time_or_null(const std::optional<SystemTime>& time) {
    return time ? json(format_utc(*time)) : json(nullptr);
}

} // namespace

s3::Location location_of(const config::Replica& replica) {
    s3::Location location{replica.s3.endpoint, replica.s3.bucket, replica.s3.prefix,
                          replica.s3.region};
    if (auto ok = s3::validate(location); !ok) {
        throw Error(fmt::format("replica \"{}\": {}", replica.name, ok.error()),
                    ErrorCode::invalid_config);
    }
    return location;
}

ReplicaSet::ReplicaSet(const std::vector<config::Replica>& replicas,
                       const std::filesystem::path& vault, const store::Sealing& sealing,
                       const std::filesystem::path& state_dir, const Clock& clock,
                       notify::EventSink* events) {
    for (const auto& replica : replicas) {
        replica::ReplicatorOptions options;
        options.name = replica.name;
        options.location = location_of(replica);
        options.credentials_file = replica.s3.credentials_file;
        options.bandwidth = replica.bandwidth;
        options.parallel = static_cast<unsigned>(replica.parallel);
        options.keep_removed = replica.keep_removed;
        options.vault = vault;
        options.sealing = sealing;
        options.state_file = state_dir / "replicas" / (replica.name + ".json");
        if (events != nullptr) {
            options.on_failure = [events, &clock, name = replica.name](const std::string& kind,
                                                                       const std::string& error) {
                notify::Event event;
                event.kind = config::NotifyEvent::replica_failed;
                event.time = clock.now();
                event.replica = name;
                event.reason = kind;
                event.error = error;
                events->publish(std::move(event));
            };
        }
        m_replicators.push_back(std::make_unique<replica::Replicator>(std::move(options), clock));
    }
}

void ReplicaSet::wake(replica::WakeReason reason) {
    for (auto& replicator : m_replicators) {
        replicator->wake(reason);
    }
}

json ReplicaSet::status(SystemTime now) const {
    json replicas = json::array();
    for (const auto& replicator : m_replicators) {
        const auto s = replicator->status();
        json age = nullptr;
        if (s.oldest_pending) {
            age = std::chrono::duration_cast<std::chrono::seconds>(now - *s.oldest_pending).count();
        }
        replicas.push_back(
            {{"name", s.name},
             {"where", s.where},
             {"pending_versions", s.pending_versions},
             {"pending_bytes", s.pending_bytes},
             {"oldest_pending_age_seconds", age},
             {"last_success", time_or_null(s.last_success)},
             {"last_attempt", time_or_null(s.last_attempt)},
             {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
             {"last_error_kind",
              s.last_error_kind.empty() ? json(nullptr) : json(s.last_error_kind)},
             {"uploaded_bytes", s.uploaded_bytes},
             {"awaiting_removal", s.awaiting_removal},
             {"removed_versions", s.removed_versions},
             {"running", s.running}});
    }
    return replicas;
}

int recover_vault(const config::Config& config, const std::string& name) {
    const auto found = std::find_if(config.replicas.begin(), config.replicas.end(),
                                    [&](const config::Replica& r) { return r.name == name; });
    if (found == config.replicas.end()) {
        throw Fatal(fmt::format("{} has no replica named \"{}\"; see `replicas` in "
                                "docs/CONFIG.md",
                                config.source.string(), name),
                    2);
    }
    auto credentials = s3::load_credentials(found->s3.credentials_file);
    if (!credentials) {
        throw Fatal(credentials.error());
    }
    s3::ClientOptions options;
    options.max_receive_bytes_per_second = found->bandwidth;
    options.credentials_file = found->s3.credentials_file.string();
    s3::TransferPool pool(location_of(*found), *credentials, options,
                          static_cast<unsigned>(found->parallel));
    std::printf("recovering the vault %s from replica %s (%s)\n", config.vault.c_str(),
                name.c_str(), s3::describe(pool.client().location()).c_str());
    const auto report = replica::recover(pool, config.vault);
    std::printf("recovered %zu version(s), %zu file(s), %s; start modelvaultd to use it\n",
                report.versions, report.files, format_bytes(report.bytes).c_str());
    return 0;
}

} // namespace mv::daemon
