// version, status, reload.
#include <algorithm>
#include <unistd.h>

#include <fmt/format.h>

#include "config/load.hpp"
#include "daemon/backup_service.hpp"
#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/notifications.hpp"
#include "daemon/services.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

void version(CommandContext& c) {
    c.responder->succeed({{"version", MV_VERSION}, {"protocol", ipc::k_protocol_version}});
}

// Hooks run, webhook deliveries waiting, the bus served and the metrics file.
json notifications_json(const Notifications::Summary& summary) {
    return {{"hooks", {{"runs", summary.hooks.runs}, {"dropped", summary.hooks.dropped}}},
            {"webhooks",
             {{"queued", summary.webhooks.queued},
              {"finished", summary.webhooks.finished},
              {"failed_attempts", summary.webhooks.failed_attempts}}},
            {"dbus", summary.dbus.empty() ? json(nullptr) : json(summary.dbus)},
            {"metrics_file",
             summary.metrics_file ? json(summary.metrics_file->string()) : json(nullptr)}};
}

// The files' sizes and the pack bytes stored by the versions of a watch's models.
std::pair<std::uint64_t, std::uint64_t> watch_bytes(const vault::Vault& vault,
                                                    const std::string& watch) {
    std::uint64_t logical = 0;
    std::uint64_t stored = 0;
    for (const auto& model : vault.models()) {
        if (model.starts_with(watch + "/")) {
            for (const auto& m : vault.versions(model)) {
                logical += m.total_size();
                stored += m.storage.new_bytes;
            }
        }
    }
    return {logical, stored};
}

// One row per watch: its state, size, last backup and next scheduled run.
json watches_json(Services& d, const std::vector<StatusSnapshot::Watch>& watches_now) {
    json watches = json::array();
    for (const auto& [w, next_run] : watches_now) {
        json last = nullptr;
        if (const auto backup = d.backups().last_backup(w.name)) {
            last = {{"model", backup->model},
                    {"version", backup->version},
                    {"time", format_utc(backup->time)}};
        }
        const auto bytes = watch_bytes(d.vault(), w.name);
        watches.push_back({{"name", w.name},
                           {"path", w.path.string()},
                           {"state", watcher::to_string(w.state)},
                           {"message", w.message},
                           {"directories", w.directories},
                           {"pending", w.pending},
                           {"models", d.backups().model_count(w.name)},
                           {"logical_bytes", bytes.first},
                           {"stored_bytes", bytes.second},
                           {"last_backup", last},
                           {"next_run", next_run ? json(format_utc(*next_run)) : json(nullptr)}});
    }
    return watches;
}

json queue_json(Services& d) {
    auto backups = d.backup_jobs().snapshot();
    // Models waiting for their files to be left alone are queued too, just not yet in
    // the job queue.
    for (auto& model : d.backups().waiting()) {
        if (std::find(backups.queued.begin(), backups.queued.end(), model) ==
            backups.queued.end()) {
            backups.queued.push_back(std::move(model));
        }
    }
    return {{"queued", backups.queued},
            {"running", backups.running},
            {"verifying", d.check_jobs().snapshot().running}};
}

json counters_json(const BackupService::Counters& counters) {
    return {{"versions_written", counters.committed},
            {"unchanged", counters.unchanged},
            {"failures", counters.failed},
            {"bytes_read", counters.bytes_read},
            {"bytes_stored", counters.bytes_stored},
            {"bytes_deduplicated", counters.bytes_deduplicated},
            {"pruned_versions", counters.pruned},
            {"reclaimed_bytes", counters.reclaimed_bytes}};
}

// Versions that need a reader's attention: models whose watched folder holds a
// rolled-back version rather than the latest, and versions stored although they failed
// their format's structural check.
struct FlaggedVersions {
    json rolled_back = json::array();
    json incomplete = json::array();
};

FlaggedVersions flagged_versions(const vault::Vault& vault) {
    FlaggedVersions flagged;
    for (const auto& model : vault.models()) {
        for (const auto& manifest : vault.versions(model)) {
            if (manifest.incomplete) {
                flagged.incomplete.push_back(
                    {{"model", model}, {"version", manifest.version.to_string()}});
            }
        }
        const auto current = vault.pointer(model, vault::Pointer::current);
        const auto latest = vault.latest(model);
        if (current && latest && *current != latest->version) {
            flagged.rolled_back.push_back({{"model", model},
                                           {"current", current->to_string()},
                                           {"latest", latest->version.to_string()}});
        }
    }
    return flagged;
}

// Versions hidden by a manifest that cannot be read (docs/FORMAT.md, "Manifests").
json damaged_json(const vault::Vault& vault) {
    json damaged = json::array();
    for (const auto& entry : vault.damaged()) {
        damaged.push_back(
            {{"manifest", entry.file.string()},
             {"model", entry.model},
             {"version", entry.version ? json(entry.version->to_string()) : json(nullptr)},
             {"problem", entry.problem}});
    }
    return damaged;
}

json daemon_json(Services& d, const StatusSnapshot& snapshot, SystemTime now) {
    return {{"version", MV_VERSION},
            {"pid", ::getpid()},
            {"started", format_utc(snapshot.started)},
            {"uptime_seconds",
             std::chrono::duration_cast<std::chrono::seconds>(now - snapshot.started).count()},
            {"config", d.config().source.string()},
            {"socket", snapshot.served_socket}};
}

json vault_json(Services& d, const Notifications::Summary& notifications) {
    const auto stats = d.vault().stats();
    return {{"path", d.vault().root().string()},
            {"models", stats.models},
            {"versions", stats.versions},
            {"stored_bytes", stats.stored_bytes},
            {"free_bytes", stats.free_bytes},
            {"total_bytes", stats.total_bytes},
            {"disk_low", notifications.disk_low},
            {"warn_free_below",
             notifications.warn_free_below ? json(*notifications.warn_free_below) : json(nullptr)},
            {"format", 2},
            {"chunks", stats.chunks},
            {"packs", stats.packs},
            {"damaged", damaged_json(d.vault())}};
}

void status(CommandContext& c) {
    Services& d = c.services;
    const auto now = d.clock().now();
    auto snapshot = d.status_snapshot(now);
    const auto notifications = d.notifications().summary();
    const auto flagged = flagged_versions(d.vault());
    json last_error = nullptr;
    if (const auto error = d.backups().last_error()) {
        last_error = {{"message", error->message}, {"time", format_utc(error->time)}};
    }
    c.responder->succeed({{"daemon", daemon_json(d, snapshot, now)},
                          {"vault", vault_json(d, notifications)},
                          {"watches", watches_json(d, snapshot.watches)},
                          {"replicas", std::move(snapshot.replicas)},
                          {"catalog", std::move(snapshot.catalog)},
                          {"queue", queue_json(d)},
                          {"counters", counters_json(d.backups().counters())},
                          {"notifications", notifications_json(notifications)},
                          {"rolled_back", flagged.rolled_back},
                          {"incomplete", flagged.incomplete},
                          {"last_error", last_error}});
}

void reload(CommandContext& c) {
    try {
        c.services.reload();
    } catch (const config::ConfigError& e) {
        std::vector<std::string> lines;
        for (const auto& problem : e.problems()) {
            lines.push_back(problem.to_string());
        }
        c.responder->fail(ErrorCode::invalid_config,
                          fmt::format("the new configuration was rejected, the running one stays "
                                      "in effect:\n{}",
                                      fmt::join(lines, "\n")));
        return;
    }
    c.responder->succeed({{"reloaded", true},
                          {"config", c.services.config().source.string()},
                          {"watches", c.services.config().watches.size()}});
}

} // namespace

void register_info(CommandRegistry& registry) {
    registry.add({"version", AccessLevel::read, "daemon and protocol version", version});
    registry.add(
        {"status", AccessLevel::read, "daemon, vault, watches, queue and counters", status});
    registry.add({"reload", AccessLevel::write, "re-read the config file (like SIGHUP)", reload});
}

} // namespace mv::daemon::commands
