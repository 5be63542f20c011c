#include "metrics/recorder.hpp"

namespace mv::metrics {

Recorder::Recorder(const std::vector<std::string>& triggers,
                   const std::vector<std::string>& reasons) {
    for (const auto& trigger : triggers) {
        m_counts.versions_by_trigger[trigger] = 0;
    }
    for (const auto& reason : reasons) {
        m_counts.failures_by_reason[reason] = 0;
    }
    m_counts.restores_by_trigger = {{"restore", 0}, {"rollback", 0}};
}

void Recorder::record(const notify::Event& event) {
    using config::NotifyEvent;
    std::lock_guard lock(m_mutex);
    switch (event.kind) {
    case NotifyEvent::backup_created:
        ++m_counts.versions_by_trigger[event.trigger];
        m_counts.durations.observe(static_cast<double>(event.duration.count()) / 1000.0);
        break;
    case NotifyEvent::backup_failed:
        ++m_counts.failures_by_reason[event.reason];
        break;
    case NotifyEvent::restored:
        ++m_counts.restores_by_trigger[event.trigger];
        break;
    case NotifyEvent::replica_failed:
        ++m_counts.replica_failures;
        break;
    case NotifyEvent::disk_low:
        ++m_counts.disk_low_events;
        break;
    case NotifyEvent::pruned:
        break; // the backup service's own counters have the totals
    }
}

Recorder::Counts Recorder::counts() const {
    std::lock_guard lock(m_mutex);
    return m_counts;
}

} // namespace mv::metrics
