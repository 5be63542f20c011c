#pragma once
// Every metric modelvaultd exports (docs/NOTIFICATIONS.md, "Prometheus metrics"), built
// from the recorder's counts and a snapshot of the daemon's state. Pure: the daemon fills
// in DaemonState, this decides names, help, types and labels.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metrics/exposition.hpp"
#include "metrics/recorder.hpp"
#include "util/time.hpp"

namespace mv::metrics {

struct DaemonState {
    std::string version;
    SystemTime started{};
    // The backup service's counters since start (what `status` shows).
    std::uint64_t versions_written = 0;
    std::uint64_t unchanged = 0;
    std::uint64_t failures = 0;
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_stored = 0;
    std::uint64_t bytes_deduplicated = 0;
    std::uint64_t pruned_versions = 0;
    std::uint64_t reclaimed_bytes = 0;
    // Queues.
    std::uint64_t backups_queued = 0;
    std::uint64_t backups_running = 0;
    std::uint64_t verifications_running = 0;
    // The vault and its file system.
    std::uint64_t models = 0;
    std::uint64_t versions = 0;
    std::uint64_t stored_bytes = 0;
    std::uint64_t free_bytes = 0;
    std::uint64_t filesystem_bytes = 0;
    std::optional<std::uint64_t> warn_free_below;
    bool disk_low = false;
    /// Newest version of each configured watch (watches without one are left out).
    std::map<std::string, SystemTime> last_backup;
    // Hooks and webhooks.
    std::map<std::string, std::map<std::string, std::uint64_t>> hook_runs; ///< hook → result
    std::uint64_t hooks_dropped = 0;
    std::map<std::string, std::uint64_t> webhook_deliveries; ///< result → n
    std::uint64_t webhook_failed_attempts = 0;
    std::uint64_t webhook_queued = 0;
    std::uint64_t webhook_queued_bytes = 0;
};

/// The families, in a stable order.
std::vector<Family> build_families(const Recorder::Counts& counts, const DaemonState& state);

/// render(build_families(...)): the text node_exporter reads and `GET /metrics` serves.
std::string metrics_text(const Recorder::Counts& counts, const DaemonState& state);

} // namespace mv::metrics
