#include "daemon/metrics_state.hpp"

#include "daemon/daemon.hpp"
#include "vault/model_id.hpp"

namespace mv::daemon {

metrics::DaemonState metrics_state(Daemon& daemon) {
    metrics::DaemonState state;
    state.version = MV_VERSION;
    state.started = daemon.started();
    const auto counters = daemon.backups().counters();
    state.versions_written = counters.committed;
    state.unchanged = counters.unchanged;
    state.failures = counters.failed;
    state.bytes_read = counters.bytes_read;
    state.bytes_stored = counters.bytes_stored;
    state.bytes_deduplicated = counters.bytes_deduplicated;
    state.pruned_versions = counters.pruned;
    state.reclaimed_bytes = counters.reclaimed_bytes;
    const auto backups = daemon.backup_jobs().snapshot();
    const auto checks = daemon.check_jobs().snapshot();
    state.backups_queued = backups.queued.size();
    state.backups_running = backups.running.size();
    state.verifications_running = checks.running.size();
    const auto stats = daemon.vault().stats();
    state.models = stats.models;
    state.versions = stats.versions;
    state.stored_bytes = stats.stored_bytes;
    state.free_bytes = stats.free_bytes;
    state.filesystem_bytes = stats.total_bytes;
    std::set<std::string> watches;
    for (const auto& watch : daemon.config().watches) {
        watches.insert(watch.name);
    }
    for (const auto& model : daemon.vault().models()) {
        const auto id = vault::ModelId::parse(model);
        const auto latest = daemon.vault().latest(model);
        if (!id || !latest || !watches.contains(id->watch)) {
            continue;
        }
        auto& newest = state.last_backup[id->watch];
        newest = std::max(newest, latest->created);
    }
    return state;
}

} // namespace mv::daemon
