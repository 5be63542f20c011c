// The daemon's triggers: inotify events and settled models, rescans, and the schedule
// timers of each watch (the other half of daemon.cpp).
#include <algorithm>
#include <tuple>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/daemon.hpp"
#include "scheduler/next_fire.hpp"
#include "watcher/scan.hpp"

namespace mv::daemon {

namespace {

constexpr std::chrono::seconds k_housekeeping_interval{1};

bool same_schedule(const config::ScheduleTrigger& a, const config::ScheduleTrigger& b) {
    return a.every == b.every && a.at == b.at;
}

// Whether any trigger can act on a settled file or a rescan of this watch.
bool reacts_to_changes(const config::Watch& watch) {
    return watch.triggers.on_change || watch.triggers.improvement || watch.triggers.steps;
}

} // namespace

void Daemon::apply_schedules() {
    // Keep the timers whose schedule is unchanged (their plan stays), replace the others.
    std::map<std::string, config::ScheduleTrigger> wanted;
    for (const auto& watch : m_config.watches) {
        if (watch.triggers.schedule) {
            wanted.emplace(watch.name, *watch.triggers.schedule);
        }
    }
    for (auto it = m_schedules.begin(); it != m_schedules.end();) {
        const auto rule = wanted.find(it->first);
        if (rule == wanted.end() || !same_schedule(rule->second, m_schedule_rules[it->first])) {
            it->second->cancel();
            m_schedule_rules.erase(it->first);
            it = m_schedules.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& [name, rule] : wanted) {
        if (m_schedules.count(name) != 0) {
            continue;
        }
        const auto last = m_last_fires.find(name);
        auto timer = std::make_unique<scheduler::ScheduleTimer>(
            m_io, m_clock, rule,
            last == m_last_fires.end() ? std::nullopt : std::optional<SystemTime>(last->second),
            [this, name = name](SystemTime fired_at) { on_schedule(name, fired_at); });
        timer->start();
        if (const auto next = timer->next()) {
            spdlog::info("watch {}: scheduled {}; next run {}", name, scheduler::describe(rule),
                         format_utc(*next));
        }
        m_schedule_rules[name] = rule;
        m_schedules[name] = std::move(timer);
    }
}

void Daemon::apply_reports() {
    if (!m_config.reports) {
        m_reports.reset();
    } else if (!m_reports || !(m_reports->config() == *m_config.reports)) {
        m_reports.reset();
        m_reports = std::make_unique<DailyReport>(*this, *m_config.reports,
                                                  m_vault->state_dir() / "reports.json");
    }
}

void Daemon::on_schedule(const std::string& watch_name, SystemTime fired_at) {
    m_last_fires[watch_name] = fired_at;
    save_last_fires(m_vault->state_dir() / "schedule.json", m_vault->tmp_dir(), m_last_fires);
    const auto watch = m_backups->find_watch(watch_name);
    if (!watch || !watch->triggers.schedule) {
        return;
    }
    const std::size_t queued = m_backups->scan(
        *watch, fmt::format("scheduled ({})", scheduler::describe(*watch->triggers.schedule)),
        vault::Trigger::schedule);
    spdlog::info("watch {}: scheduled run, {} changed model(s) to back up", watch_name, queued);
}

std::optional<SystemTime> Daemon::next_run(const std::string& watch) const {
    const auto it = m_schedules.find(watch);
    return it == m_schedules.end() ? std::nullopt : it->second->next();
}

StatusSnapshot Daemon::status_snapshot(SystemTime now) const {
    StatusSnapshot snapshot;
    snapshot.started = m_started;
    snapshot.served_socket = m_served_socket;
    for (auto& status : m_watcher->status()) {
        auto next = next_run(status.name);
        snapshot.watches.push_back({std::move(status), next});
    }
    if (m_replicas != nullptr) {
        snapshot.replicas = m_replicas->status(now);
    }
    if (m_catalog != nullptr) {
        snapshot.catalog = m_catalog->status();
    }
    return snapshot;
}

void Daemon::apply_watches() {
    m_watcher->configure(m_config.watches, m_clock.steady_now());
    for (const auto& status : m_watcher->status()) {
        if (status.state != watcher::WatchState::watching) {
            spdlog::warn("watch {}: {} ({}){}", status.name, watcher::to_string(status.state),
                         status.path.string(), status.message.empty() ? "" : ": " + status.message);
        }
    }
}

void Daemon::wait_for_inotify() {
    m_inotify.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this](const boost::system::error_code& error) {
                             if (error) {
                                 return;
                             }
                             m_watcher->process_events(m_clock.steady_now());
                             on_watcher_activity();
                             wait_for_inotify();
                         });
}

void Daemon::on_watcher_activity() {
    // Checkpoints of a series that settle together become versions in step order.
    using Order = std::tuple<std::string, std::int64_t, std::int64_t, std::string>;
    std::vector<std::pair<Order, BackupRequest>> settled;
    for (const auto& change : m_watcher->take_changes(m_clock.steady_now())) {
        const auto watch = m_backups->find_watch(change.watch);
        if (!watch) {
            continue;
        }
        if (!reacts_to_changes(*watch)) {
            // The start-up scan and rescans belong to the change triggers too; with all of
            // them off, only schedules and manual backups make versions.
            spdlog::debug("watch {}: {} ignored, no trigger acts on changes", change.watch,
                          change.kind == watcher::Change::Kind::rescan ? "rescan" : "settled file");
        } else if (change.kind == watcher::Change::Kind::rescan) {
            m_backups->scan(*watch, m_startup_scan_done
                                        ? "found by a rescan of the watch"
                                        : "changed while modelvaultd was not running");
        } else {
            auto request =
                request_for(*watch, change.model, vault::Trigger::change, "written and settled");
            const auto checkpoint = request.checkpoint.empty()
                                        ? std::nullopt
                                        : watcher::checkpoint_at(*watch, request.checkpoint);
            Order order{model_text(request.watch, request.model),
                        checkpoint ? checkpoint->step.value_or(-1) : -1,
                        checkpoint ? checkpoint->epoch.value_or(-1) : -1, change.model};
            settled.emplace_back(std::move(order), std::move(request));
        }
    }
    std::stable_sort(settled.begin(), settled.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [order, request] : settled) {
        m_backups->submit(std::move(request));
    }
    arm_settle_timer();
}

void Daemon::arm_settle_timer() {
    const auto deadline = m_watcher->next_deadline();
    if (!deadline) {
        m_settle_timer.cancel();
        return;
    }
    m_settle_timer.expires_at(*deadline);
    m_settle_timer.async_wait([this](const boost::system::error_code& error) {
        if (!error) {
            on_watcher_activity();
        }
    });
}

void Daemon::arm_housekeeping() {
    m_housekeeping_timer.expires_after(k_housekeeping_interval);
    m_housekeeping_timer.async_wait([this](const boost::system::error_code& error) {
        if (error) {
            return;
        }
        m_watcher->poll(m_clock.steady_now());
        m_backups->poll_late_metrics();
        on_watcher_activity();
        arm_housekeeping();
    });
}

void Daemon::arm_retention_pass(std::chrono::milliseconds delay) {
    // docs/CONFIG.md `retention`: retention runs after each new version and at least daily; the
    // daily pass also applies a policy that changed with a reload to every model.
    m_retention_timer.expires_after(delay);
    m_retention_timer.async_wait([this](const boost::system::error_code& error) {
        if (error) {
            return;
        }
        std::size_t queued = 0;
        for (const auto& model : m_vault->models()) {
            if (retention::keeps_everything(m_backups->policy_for(model))) {
                continue;
            }
            m_backup_jobs->submit(model, [this, model](const std::stop_token& stop) {
                if (!stop.stop_requested()) {
                    m_backups->prune(model, DryRun::no);
                }
            });
            ++queued;
        }
        spdlog::debug("daily retention pass: {} model(s) with a policy", queued);
        arm_retention_pass(std::chrono::hours(24));
    });
}

} // namespace mv::daemon
