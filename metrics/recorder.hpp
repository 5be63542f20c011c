#pragma once
// Counts what the events say, for the metrics that break totals down: versions by
// trigger, failures by reason, how long backups took, restores by kind. Thread-safe;
// fed by the daemon's event fan-out.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/histogram.hpp"
#include "notify/event.hpp"

namespace mv::metrics {

/// Upper bounds of the backup duration histogram, in seconds.
inline const std::vector<double> k_duration_bounds = {0.1, 0.5, 1,   2.5, 5,    10,  30,
                                                      60,  120, 300, 600, 1800, 3600};

class Recorder {
public:
    /// Every trigger and failure reason starts at zero, so that rate() works from the
    /// first scrape on.
    Recorder(const std::vector<std::string>& triggers, const std::vector<std::string>& reasons);

    void record(const notify::Event& event);

    struct Counts {
        std::map<std::string, std::uint64_t> versions_by_trigger;
        std::map<std::string, std::uint64_t> failures_by_reason;
        Histogram durations{k_duration_bounds};
        std::map<std::string, std::uint64_t> restores_by_trigger; ///< restore, rollback
        std::uint64_t replica_failures = 0;
        std::uint64_t disk_low_events = 0;
    };
    Counts counts() const;

private:
    mutable std::mutex m_mutex;
    Counts m_counts;
};

} // namespace mv::metrics
