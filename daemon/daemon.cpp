#include "daemon/daemon.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/bus_backend.hpp"
#include "daemon/logging.hpp"
#include "daemon/main_options.hpp"
#include "daemon/metrics_state.hpp"
#include "scheduler/next_fire.hpp"
#include "util/error.hpp"

namespace mv::daemon {

namespace {

constexpr std::size_t k_backup_workers = 2;
/// Restores and exports stream at once, without waiting for backups or verification.
constexpr std::size_t k_stream_workers = 2;

// ioprio_set(2) has no glibc wrapper; these are the kernel's constants.
constexpr int k_ioprio_class_shift = 13;
constexpr int k_ioprio_class_best_effort = 2;
constexpr int k_ioprio_class_idle = 3;
constexpr int k_ioprio_who_process = 1;

} // namespace

void apply_io_priority(config::IoPriority priority) {
    // Training must never wait for a backup: lower the worker's I/O class and CPU nice
    // value. Threads that libzstd starts from here inherit both.
    const pid_t thread = static_cast<pid_t>(::syscall(SYS_gettid));
    int value = 0;
    switch (priority) {
    case config::IoPriority::idle:
        value = k_ioprio_class_idle << k_ioprio_class_shift;
        break;
    case config::IoPriority::best_effort:
        value = (k_ioprio_class_best_effort << k_ioprio_class_shift) | 7;
        break;
    case config::IoPriority::normal:
        return;
    }
    if (::syscall(SYS_ioprio_set, k_ioprio_who_process, thread, value) != 0) {
        spdlog::debug("cannot lower the I/O priority of a backup worker: {}", std::strerror(errno));
    }
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(thread), 10);
}

Daemon::Daemon(config::Config config, const Clock& clock)
    : m_clock(clock), m_config(std::move(config)), m_started(clock.now()), m_signals(m_io),
      m_inotify(m_io), m_settle_timer(m_io), m_housekeeping_timer(m_io), m_watchdog_timer(m_io),
      m_stop_timer(m_io), m_retention_timer(m_io), m_activated(sd::activated_sockets()) {
    // A second daemon pointed at a socket in use fails before it creates anything (its
    // vault folder first of all); Server::listen checks again when it binds.
    if (m_activated.empty() && ipc::someone_listens(m_config.socket)) {
        throw Fatal(fmt::format("another modelvaultd is already listening on {}; stop it first "
                                "(modelvaultctl --socket {} status), or give this one another "
                                "`socket`",
                                m_config.socket.string(), m_config.socket.string()));
    }
    m_vault = vault::Vault::open(
        {m_config.vault, m_config.compression, m_config.verify_after_write, {}}, m_clock,
        [this](const std::string& status) {
            // An upgrade takes seconds per version: systemd waits a minute more for each.
            m_notifier.still_starting(std::chrono::minutes(1), status);
        },
        m_config.encryption ? m_config.encryption->key_file : std::filesystem::path());
    if (m_config.catalog) {
        try {
            m_catalog = std::make_unique<CatalogMirror>(*m_config.catalog, *m_vault, m_clock);
        } catch (const Error& e) {
            throw Fatal(e.what());
        }
    }
    m_fingerprints = std::make_unique<FingerprintStore>(m_vault->state_dir() / "fingerprints.json",
                                                        m_vault->tmp_dir());
    m_last_fires = load_last_fires(m_vault->state_dir() / "schedule.json");
    const auto priority = m_config.io_priority;
    m_backup_jobs = std::make_unique<JobQueue>("backup", k_backup_workers,
                                               [priority] { apply_io_priority(priority); });
    m_check_jobs =
        std::make_unique<JobQueue>("verify", 1, [priority] { apply_io_priority(priority); });
    m_stream_jobs = std::make_unique<JobQueue>("stream", k_stream_workers);
    m_backups =
        std::make_unique<BackupService>(m_io, *m_vault, *m_backup_jobs, *m_fingerprints, m_clock);
    m_notifications = std::make_unique<Notifications>(m_io, m_vault->root(), m_clock,
                                                      [this] { return metrics_state(*this); });
    m_backups->set_event_sink(m_notifications.get());
    m_replicas = make_replicas(m_config);
    m_bus_backend = std::make_unique<DaemonBusBackend>(*this);
    m_events = watcher::make_inotify_source();
    m_watcher = std::make_unique<watcher::Watcher>(*m_events);
    m_access =
        std::make_unique<AccessPolicy>(m_config.access, ::getuid(), m_config.source.string());
    register_all(m_commands);
    apply_notifications(m_config);
    m_server = std::make_unique<ipc::Server>(
        m_io,
        [this](const ipc::Peer& peer, ipc::Request request,
               std::shared_ptr<ipc::Responder> responder) {
            dispatch(peer, std::move(request), std::move(responder));
        },
        ipc::ServerLimits{}, [this](const ipc::Peer& peer) { return m_access->admission(peer); });
    if (m_config.http) {
        try {
            m_http = std::make_unique<HttpApi>(*this, *m_config.http);
        } catch (const Error& e) {
            throw Fatal(e.what(), k_exit_config);
        }
    }
}

Daemon::~Daemon() {
    shutdown();
    if (m_inotify.is_open()) {
        m_inotify.release(); // the event source owns and closes the descriptor
    }
}

int Daemon::run() {
    wait_for_signals();
    std::string& served = m_served_socket;
    served = m_config.socket.string();
    if (!m_activated.empty()) {
        m_server->adopt(m_activated.front().fd);
        served = m_activated.front().path;
        spdlog::info("serving the control socket passed by systemd ({}); `socket` of the "
                     "config is not used",
                     served);
    } else {
        m_server->listen(m_config.socket, m_config.access.socket_group);
    }
    if (m_http) {
        m_http->listen();
    }
    apply_reports();
    m_backups->set_watches(m_config.watches);
    // systemctl status shows the new version at once, not at the next watchdog ping.
    // Replicas upload the new version in the background; the commit never waits for them.
    m_backups->on_commit([this] {
        m_notifier.status(status_line());
        if (m_replicas) {
            m_replicas->wake();
        }
    });
    // A prune or a delete: the replicas start the removed versions' keep_removed now, not
    // at their next periodic pass.
    m_backups->on_removal([this] {
        if (m_replicas) {
            m_replicas->wake(replica::WakeReason::removed);
        }
    });
    // A rollback or a new best: the replicas get the history now, so that `restore
    // MODEL@current --replica` agrees with the vault without waiting for a periodic pass.
    m_vault->add_observer({{}, {}, [this](const std::string&, const vault::HistoryRecord&) {
                               boost::asio::post(m_io, [this] {
                                   if (m_replicas) {
                                       m_replicas->wake(replica::WakeReason::history);
                                   }
                               });
                           }});
    apply_watches();
    apply_schedules();
    if (m_events->native_handle() >= 0) {
        m_inotify.assign(m_events->native_handle());
        wait_for_inotify();
    }
    arm_housekeeping();
    arm_retention_pass(std::chrono::seconds(10));
    if (const auto interval = m_notifier.watchdog_interval()) {
        arm_watchdog(*interval / 2);
    }
    // The start-up scan: the watcher reports each existing watch as needing a rescan.
    on_watcher_activity();
    m_startup_scan_done = true;
    spdlog::info("modelvaultd {} ready: vault {}, socket {}, {} watch(es)", MV_VERSION,
                 m_vault->root().string(), served, m_config.watches.size());
    m_notifier.ready();
    m_notifier.status(status_line());
    m_io.run();
    shutdown();
    spdlog::info("modelvaultd stopped");
    return 0;
}

std::unique_ptr<ReplicaSet> Daemon::make_replicas(const config::Config& config) const {
    try {
        return std::make_unique<ReplicaSet>(config.replicas, m_vault->root(),
                                            m_vault->store().sealing(), m_vault->state_dir(),
                                            m_clock, m_notifications.get());
    } catch (const Error& e) {
        throw Fatal(e.what(), k_exit_config);
    }
}

void Daemon::apply_notifications(const config::Config& config) {
    try {
        m_notifications->apply(config, *m_bus_backend);
    } catch (const Error& e) {
        // A setting no restart can fix is a configuration error (systemd does not retry).
        throw Fatal(e.what(), e.code() == ErrorCode::invalid_argument ? k_exit_config : 1);
    }
}

void Daemon::shutdown() {
    if (m_notifications) {
        m_notifications->stop();
    }
    // A transfer under way is abandoned: the next start finds what is still missing.
    m_replicas.reset();
    if (m_server) {
        m_server->stop();
    }
    if (m_http) {
        m_http->stop();
    }
    // Running backups abandon their write (tmp/ is cleaned) and waiting clients get an
    // answer; then the workers are joined before anything they use goes away.
    if (m_backup_jobs) {
        m_backup_jobs->stop();
    }
    if (m_check_jobs) {
        m_check_jobs->stop();
    }
    if (m_stream_jobs) {
        m_stream_jobs->stop();
    }
    m_backup_jobs.reset();
    m_check_jobs.reset();
    m_stream_jobs.reset();
}

void Daemon::begin_stop(const char* why) {
    spdlog::info("received {}, stopping", why);
    m_notifier.stopping();
    // No new work: no new connections, no new events; running jobs abandon their write
    // (tmp/ stays clean) and every waiting client still gets its answer.
    m_server->stop_accepting();
    m_signals.cancel();
    m_settle_timer.cancel();
    m_housekeeping_timer.cancel();
    m_notifications->stop();
    m_retention_timer.cancel();
    m_reports.reset();
    for (auto& [name, timer] : m_schedules) {
        timer->cancel();
    }
    boost::system::error_code ignored;
    m_inotify.cancel(ignored);
    m_backup_jobs->stop();
    m_check_jobs->stop();
    m_stream_jobs->stop();
    finish_stop_when_idle(m_clock.steady_now() + std::chrono::seconds(10));
}

void Daemon::finish_stop_when_idle(SteadyTime deadline) {
    m_stop_timer.expires_after(std::chrono::milliseconds(20));
    m_stop_timer.async_wait([this, deadline](const boost::system::error_code& error) {
        if (error) {
            return;
        }
        const auto backups = m_backup_jobs->snapshot();
        const auto checks = m_check_jobs->snapshot();
        const auto streams = m_stream_jobs->snapshot();
        const bool idle = backups.running.empty() && backups.queued.empty() &&
                          checks.running.empty() && checks.queued.empty() &&
                          streams.running.empty() && streams.queued.empty();
        if (!idle && m_clock.steady_now() < deadline) {
            finish_stop_when_idle(deadline);
            return;
        }
        // One more turn of the loop lets the last answers be written.
        boost::asio::post(m_io, [this] {
            m_server->stop();
            if (m_http) {
                m_http->stop();
            }
            m_io.stop();
        });
    });
}

void Daemon::arm_watchdog(std::chrono::microseconds interval) {
    // Pinged from the event loop itself: a stuck loop stops the pings and systemd
    // restarts the daemon.
    m_notifier.watchdog();
    m_watchdog_timer.expires_after(interval);
    m_watchdog_timer.async_wait([this, interval](const boost::system::error_code& error) {
        if (!error) {
            m_notifier.status(status_line());
            arm_watchdog(interval);
        }
    });
}

std::string Daemon::status_line() const {
    const auto stats = m_vault->stats();
    std::size_t watching = 0;
    for (const auto& status : m_watcher->status()) {
        watching += status.state == watcher::WatchState::watching ? 1 : 0;
    }
    std::string line = fmt::format("watching {} folder(s), {} model(s), {} version(s)", watching,
                                   stats.models, stats.versions);
    std::optional<BackupService::LastBackup> last;
    for (const auto& watch : m_config.watches) {
        const auto candidate = m_backups->last_backup(watch.name);
        if (candidate && (!last || candidate->time > last->time)) {
            last = candidate;
        }
    }
    if (last) {
        line += fmt::format(", last backup {} {} {} ago", last->model, last->version,
                            format_elapsed(std::chrono::duration_cast<std::chrono::milliseconds>(
                                m_clock.now() - last->time)));
    }
    return line;
}

} // namespace mv::daemon
