#include "metrics/report.hpp"

#include <chrono>

namespace mv::metrics {

namespace {

double seconds_since_epoch(SystemTime time) {
    return static_cast<double>(
               std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch())
                   .count()) /
           1000.0;
}

Family single(std::string name, std::string help, Type type, double value) {
    return {std::move(name), std::move(help), type, {{"", {}, value}}};
}

Family counter(std::string name, std::string help, std::uint64_t value) {
    return single(std::move(name), std::move(help), Type::counter, static_cast<double>(value));
}

Family gauge(std::string name, std::string help, double value) {
    return single(std::move(name), std::move(help), Type::gauge, value);
}

// One sample per map entry, labelled `label`.
Family labelled(std::string name, std::string help, Type type, const std::string& label,
                const std::map<std::string, std::uint64_t>& values) {
    Family family{std::move(name), std::move(help), type, {}};
    for (const auto& [key, value] : values) {
        family.samples.push_back({"", {{label, key}}, static_cast<double>(value)});
    }
    return family;
}

void add_backup_families(const Recorder::Counts& counts, const DaemonState& s,
                         std::vector<Family>& out) {
    out.push_back(labelled("modelvault_versions_created_total",
                           "Versions written since the daemon started, by trigger.", Type::counter,
                           "trigger", counts.versions_by_trigger));
    out.push_back(counter("modelvault_backups_unchanged_total",
                          "Backups whose files were identical to a stored version (no new "
                          "version).",
                          s.unchanged));
    out.push_back(labelled("modelvault_backup_failures_total",
                           "Backups that failed, by reason (the protocol's error code).",
                           Type::counter, "reason", counts.failures_by_reason));
    out.push_back(counts.durations.family("modelvault_backup_duration_seconds",
                                          "How long writing a new version took."));
    out.push_back(counter("modelvault_read_bytes_total", "Bytes of model files read by backups.",
                          s.bytes_read));
    out.push_back(counter("modelvault_stored_bytes_total",
                          "Bytes of archives written for new versions.", s.bytes_stored));
    out.push_back(counter("modelvault_deduplicated_bytes_total",
                          "Bytes read that were identical to a stored version, so not stored "
                          "again.",
                          s.bytes_deduplicated));
    out.push_back(counter("modelvault_pruned_versions_total", "Versions removed by retention.",
                          s.pruned_versions));
    out.push_back(counter("modelvault_reclaimed_bytes_total", "Archive bytes retention freed.",
                          s.reclaimed_bytes));
    out.push_back(labelled("modelvault_restores_total",
                           "Versions handed to a client to restore, or rolled back, by kind.",
                           Type::counter, "kind", counts.restores_by_trigger));
    out.push_back(counter("modelvault_replica_failures_total",
                          "Failed copies to off-site replicas.", counts.replica_failures));
    Family last{"modelvault_last_backup_timestamp_seconds",
                "When the newest version of each watch was made (Unix time).",
                Type::gauge,
                {}};
    for (const auto& [watch, time] : s.last_backup) {
        last.samples.push_back({"", {{"watch", watch}}, seconds_since_epoch(time)});
    }
    out.push_back(std::move(last));
}

void add_state_families(const DaemonState& s, std::vector<Family>& out) {
    out.push_back(
        {"modelvault_queue_jobs",
         "Jobs waiting or running, by queue and state.",
         Type::gauge,
         {{"", {{"queue", "backup"}, {"state", "queued"}}, double(s.backups_queued)},
          {"", {{"queue", "backup"}, {"state", "running"}}, double(s.backups_running)},
          {"", {{"queue", "verify"}, {"state", "running"}}, double(s.verifications_running)}}});
    out.push_back(gauge("modelvault_vault_models", "Models in the vault.", double(s.models)));
    out.push_back(gauge("modelvault_vault_versions", "Versions in the vault.", double(s.versions)));
    out.push_back(gauge("modelvault_vault_size_bytes", "Bytes of archives in the vault.",
                        double(s.stored_bytes)));
    out.push_back(gauge("modelvault_vault_free_bytes",
                        "Bytes available to the daemon on the vault's file system.",
                        double(s.free_bytes)));
    out.push_back(gauge("modelvault_vault_filesystem_size_bytes",
                        "Size of the vault's file system.", double(s.filesystem_bytes)));
    if (s.warn_free_below) {
        out.push_back(gauge("modelvault_vault_warn_free_below_bytes",
                            "The warn_free_below setting.", double(*s.warn_free_below)));
    }
    out.push_back(gauge("modelvault_disk_low",
                        "1 while the vault's free bytes are below warn_free_below.",
                        s.disk_low ? 1 : 0));
    Family hooks{"modelvault_hook_runs_total", "Hook runs, by hook and result.", Type::counter, {}};
    for (const auto& [hook, results] : s.hook_runs) {
        for (const auto& [result, n] : results) {
            hooks.samples.push_back({"", {{"hook", hook}, {"result", result}}, double(n)});
        }
    }
    out.push_back(std::move(hooks));
    out.push_back(counter("modelvault_hook_runs_dropped_total",
                          "Hook runs not started because too many were waiting.", s.hooks_dropped));
    out.push_back(labelled("modelvault_webhook_deliveries_total",
                           "Webhook deliveries that ended, by result.", Type::counter, "result",
                           s.webhook_deliveries));
    out.push_back(counter("modelvault_webhook_failed_attempts_total",
                          "Webhook attempts that will be retried.", s.webhook_failed_attempts));
    out.push_back(gauge("modelvault_webhook_queue_deliveries", "Webhook deliveries waiting.",
                        double(s.webhook_queued)));
    out.push_back(gauge("modelvault_webhook_queue_bytes", "Bytes of webhook deliveries waiting.",
                        double(s.webhook_queued_bytes)));
    out.push_back(gauge("modelvault_start_time_seconds", "When the daemon started (Unix time).",
                        seconds_since_epoch(s.started)));
    out.push_back({"modelvault_build_info",
                   "The daemon's version (always 1).",
                   Type::gauge,
                   {{"", {{"version", s.version}}, 1}}});
}

} // namespace

std::vector<Family> build_families(const Recorder::Counts& counts, const DaemonState& state) {
    std::vector<Family> families;
    add_backup_families(counts, state, families);
    add_state_families(state, families);
    return families;
}

std::string metrics_text(const Recorder::Counts& counts, const DaemonState& state) {
    return render(build_families(counts, state));
}

} // namespace mv::metrics
