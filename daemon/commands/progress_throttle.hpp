#pragma once
// How often a long job's progress reaches its client: a backup or a verification reports
// after every chunk, thousands of times a second; a progress bar needs a few frames.

#include <chrono>
#include <optional>

#include "util/time.hpp"

namespace mv::daemon::commands {

/// Lets a report through when `interval` has passed since the last one (the first always).
class ProgressThrottle {
public:
    explicit ProgressThrottle(const Clock& clock,
                              std::chrono::milliseconds interval = std::chrono::milliseconds(200))
        : m_clock(&clock), m_interval(interval) {}

    /// True when a report is due now; the interval starts again from here.
    bool due() {
        const SteadyTime now = m_clock->steady_now();
        if (m_last && now - *m_last < m_interval) {
            return false;
        }
        m_last = now;
        return true;
    }

private:
    const Clock* m_clock;
    std::chrono::milliseconds m_interval;
    std::optional<SteadyTime> m_last;
};

} // namespace mv::daemon::commands
