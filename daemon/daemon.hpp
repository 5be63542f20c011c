#pragma once
// modelvaultd: wires the components together (ARCHITECTURE.md). One Asio event loop
// owns the control socket, the inotify descriptor, timers and signals; backups and
// verification run on worker threads and report back through it.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/load.hpp"
#include "config/model.hpp"
#include "daemon/access.hpp"
#include "daemon/backup_service.hpp"
#include "daemon/catalog_mirror.hpp"
#include "daemon/command.hpp"
#include "daemon/daily_report.hpp"
#include "daemon/fingerprints.hpp"
#include "daemon/http_api.hpp"
#include "daemon/job_queue.hpp"
#include "daemon/notifications.hpp"
#include "daemon/replicas.hpp"
#include "daemon/schedule_state.hpp"
#include "daemon/services.hpp"
#include "ipc/server.hpp"
#include "scheduler/schedule_timer.hpp"
#include "systemd/notify.hpp"
#include "util/time.hpp"
#include "vault/vault.hpp"
#include "watcher/event_source.hpp"
#include "watcher/watcher.hpp"

namespace mv::daemon {

class Daemon final : public Services {
public:
    /// Opens the vault (throws Fatal when it cannot) and prepares everything else.
    Daemon(config::Config config, const Clock& clock);
    ~Daemon() override;
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Serves until SIGTERM/SIGINT; returns the exit code.
    int run();

    // --- Services, for command handlers (I/O thread; services.hpp) ---
    vault::Vault& vault() override { return *m_vault; }
    BackupService& backups() override { return *m_backups; }
    JobQueue& backup_jobs() override { return *m_backup_jobs; }
    JobQueue& check_jobs() override { return *m_check_jobs; }
    JobQueue& stream_jobs() override { return *m_stream_jobs; }
    const Clock& clock() const override { return m_clock; }
    const config::Config& config() const override { return m_config; }
    Notifications& notifications() override { return *m_notifications; }
    StatusSnapshot status_snapshot(SystemTime now) const override;
    /// Re-reads the config file and applies it; throws config::ConfigError (the old
    /// config stays, and status shows the rejection as its last error) or Error.
    void reload() override;

    // --- for the metrics, the daily report and the HTTP API (I/O thread) ---
    boost::asio::io_context& io() { return m_io; }
    SystemTime started() const { return m_started; }
    /// Runs `request` for `peer` as the control socket does: access check, audit record,
    /// handler. `via` names the way it came ("socket", "dbus") in the audit log.
    void dispatch(const ipc::Peer& peer, ipc::Request request,
                  std::shared_ptr<ipc::Responder> responder, const char* via = "socket");
    /// Runs `request` for an HTTP client (docs/HTTP.md) whose token grants `granted`: the
    /// command's access level is checked against the token, not against `access`; the
    /// command runs as the daemon and the audit log names `holder` and "http".
    void dispatch_granted(AccessLevel granted, const std::string& holder, ipc::Request request,
                          std::shared_ptr<ipc::Responder> responder);

private:
    /// The next scheduled backup of a watch, if it has a schedule.
    std::optional<SystemTime> next_run(const std::string& watch) const;
    void apply_notifications(const config::Config& config);
    void apply_watches();
    void apply_schedules();
    /// Starts, replaces or ends the daily report as `reports` says (daily_report.hpp).
    void apply_reports();
    void on_schedule(const std::string& watch, SystemTime fired_at);
    void wait_for_signals();
    void wait_for_inotify();
    void on_watcher_activity();
    std::unique_ptr<ReplicaSet> make_replicas(const config::Config& config) const;
    void arm_settle_timer();
    void arm_housekeeping();
    void arm_retention_pass(std::chrono::milliseconds delay);
    void arm_watchdog(std::chrono::microseconds interval);
    void shutdown();
    void begin_stop(const char* why);
    void finish_stop_when_idle(SteadyTime deadline);
    std::string status_line() const;
    /// The command called `name`, or nullptr after failing `responder` with not_found.
    const Command* find_command(const std::string& name, ipc::Responder& responder) const;
    void run_command(const Command& command, const ipc::Peer& peer, ipc::Request request,
                     std::shared_ptr<ipc::Responder> responder);
    void apply_config_file();

    const Clock& m_clock;
    config::Config m_config;
    SystemTime m_started;
    std::string m_served_socket;
    bool m_startup_scan_done = false;
    sd::Notifier m_notifier;

    boost::asio::io_context m_io;
    boost::asio::signal_set m_signals;
    std::unique_ptr<vault::Vault> m_vault;
    /// After m_vault, which reports to it; before anything that writes to the vault.
    std::unique_ptr<CatalogMirror> m_catalog;
    std::unique_ptr<FingerprintStore> m_fingerprints;
    std::unique_ptr<JobQueue> m_backup_jobs;
    std::unique_ptr<JobQueue> m_check_jobs;
    std::unique_ptr<JobQueue> m_stream_jobs;
    std::unique_ptr<BackupService> m_backups;
    std::unique_ptr<watcher::EventSource> m_events;
    std::unique_ptr<watcher::Watcher> m_watcher;
    boost::asio::posix::stream_descriptor m_inotify;
    boost::asio::steady_timer m_settle_timer;
    boost::asio::steady_timer m_housekeeping_timer;
    boost::asio::steady_timer m_watchdog_timer;
    boost::asio::steady_timer m_stop_timer;
    boost::asio::steady_timer m_retention_timer;
    std::map<std::string, std::unique_ptr<scheduler::ScheduleTimer>> m_schedules;
    std::map<std::string, config::ScheduleTrigger> m_schedule_rules; ///< what each timer runs
    LastFires m_last_fires;
    std::unique_ptr<DailyReport> m_reports; ///< null unless the config has `reports`
    std::unique_ptr<AccessPolicy> m_access;
    std::unique_ptr<sd::BusBackend> m_bus_backend;
    std::unique_ptr<Notifications> m_notifications;
    /// After m_notifications: the replicators publish to it, so they stop first.
    std::unique_ptr<ReplicaSet> m_replicas;
    CommandRegistry m_commands;
    std::unique_ptr<ipc::Server> m_server;
    std::unique_ptr<HttpApi> m_http;              ///< null unless the config has `http`
    std::vector<sd::ActivatedSocket> m_activated; ///< passed by systemd, read once at start
};

/// Applies the config's io_priority to the calling thread (backup workers).
void apply_io_priority(config::IoPriority priority);

} // namespace mv::daemon
