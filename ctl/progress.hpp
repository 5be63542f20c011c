#pragma once
// A progress bar on stderr for long work (backup, verify, restore): bytes, rate and
// ETA, redrawn at most ten times a second. Silent unless stderr is a terminal and
// output is for humans.

#include <chrono>
#include <cstdint>
#include <string>

#include "util/time.hpp"

namespace mv::ctl {

class ProgressBar {
public:
    /// `enabled` false makes every call a no-op (not a TTY, --json, --no-progress).
    explicit ProgressBar(bool enabled) : m_enabled(enabled) {}
    ~ProgressBar() { finish(); }
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    /// Shows `label` with `done` of `total` bytes (total 0: unknown).
    void update(const std::string& label, std::uint64_t done, std::uint64_t total);
    /// Clears the bar so that normal output starts on a clean line.
    void finish();

    /// True when stderr is a terminal.
    static bool stderr_is_terminal();

private:
    bool m_enabled;
    bool m_drawn = false;
    SteadyTime m_start = system_clock().steady_now();
    SteadyTime m_last_draw{};
};

} // namespace mv::ctl
