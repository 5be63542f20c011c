#pragma once
// The daily report (docs/CONFIG.md, `reports`): each day at `reports.at` the daemon writes
// the report `modelvaultctl report --html` writes, from the results of `status` and
// `list` run through its own dispatcher, to reports.dir. When it last did is kept in
// VAULT/state/reports.json, so that a report due while the daemon was down is written
// once when it starts (scheduler/next_fire.hpp, catch-up).

#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "scheduler/schedule_timer.hpp"

namespace mv::daemon {

class Daemon;

class DailyReport {
public:
    /// Arms the timer from the last report in `state_file`. Not thread-safe: the I/O thread.
    DailyReport(Daemon& daemon, config::Reports reports, std::filesystem::path state_file);
    DailyReport(const DailyReport&) = delete;
    DailyReport& operator=(const DailyReport&) = delete;

    const config::Reports& config() const { return m_reports; }

private:
    void on_fire(SystemTime fired_at);
    /// Writes the report of `fired_at`'s local date; a failure is logged.
    void write(SystemTime fired_at, const nlohmann::json& status, const nlohmann::json& list);

    Daemon& m_daemon;
    config::Reports m_reports;
    std::filesystem::path m_state_file;
    std::unique_ptr<scheduler::ScheduleTimer> m_timer;
};

/// "modelvault-report-2026-12-01.html": the report file of the local date of `time`.
std::string report_file_name(SystemTime time);

} // namespace mv::daemon
