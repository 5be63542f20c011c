#include "daemon/daily_report.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/daemon.hpp"
#include "daemon/schedule_state.hpp"
#include "scheduler/local_time.hpp"
#include "scheduler/next_fire.hpp"
#include "util/fs.hpp"
#include "web/pages.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;

constexpr const char* k_state_key = "reports";
constexpr const char* k_holder = "the daily report";

// Hands the one answer of a command to a callback; a failure is logged.
class ReportStep final : public ipc::Responder {
public:
    using Done = std::function<void(json result)>;
    ReportStep(std::string command, Done done)
        : m_command(std::move(command)), m_done(std::move(done)) {}
    void progress(json) override {}
    void succeed(json result, UniqueFd) override { m_done(std::move(result)); }
    void fail(ErrorCode, std::string message) override {
        spdlog::error("daily report: `{}` failed: {}; no report today", m_command, message);
    }
    bool connected() const override { return true; }

private:
    std::string m_command;
    Done m_done;
};

} // namespace

std::string report_file_name(SystemTime time) {
    const auto date = scheduler::local_date(time);
    return fmt::format("modelvault-report-{:04}-{:02}-{:02}.html", date.year, date.month, date.day);
}

DailyReport::DailyReport(Daemon& daemon, config::Reports reports, std::filesystem::path state_file)
    : m_daemon(daemon), m_reports(std::move(reports)), m_state_file(std::move(state_file)) {
    const LastFires fires = load_last_fires(m_state_file);
    const auto last = fires.find(k_state_key);
    config::ScheduleTrigger rule;
    rule.at = {m_reports.at};
    m_timer = std::make_unique<scheduler::ScheduleTimer>(
        daemon.io(), daemon.clock(), rule,
        last == fires.end() ? std::nullopt : std::optional<SystemTime>(last->second),
        [this](SystemTime fired_at) { on_fire(fired_at); });
    m_timer->start();
    if (const auto next = m_timer->next()) {
        spdlog::info("daily report {} into {}; next at {}", scheduler::describe(rule),
                     m_reports.dir.string(), format_utc(*next));
    }
}

void DailyReport::on_fire(SystemTime fired_at) {
    // Recorded first: a report that cannot be written is not retried in a loop.
    save_last_fires(m_state_file, m_daemon.vault().tmp_dir(), {{k_state_key, fired_at}});
    const auto run = [this](std::string command, ReportStep::Done done) {
        m_daemon.dispatch_granted(AccessLevel::read, k_holder,
                                  ipc::Request{nullptr, command, json::object(), {}},
                                  std::make_shared<ReportStep>(command, std::move(done)));
    };
    run("status", [this, run, fired_at](json status) {
        run("list", [this, fired_at, status = std::move(status)](json list) {
            write(fired_at, status, list);
        });
    });
}

void DailyReport::write(SystemTime fired_at, const json& status, const json& list) {
    const auto file = m_reports.dir / report_file_name(fired_at);
    if (auto written = fs::write_file_atomic(file, web::report_page(status, list)); !written) {
        spdlog::error("daily report: cannot write {}: {}; the next one is due tomorrow",
                      file.string(), written.error());
        return;
    }
    spdlog::info("daily report written to {}", file.string());
}

} // namespace mv::daemon
