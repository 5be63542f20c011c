#pragma once
// What a command handler may use of the daemon (ARCHITECTURE.md, daemon/): the vault, the
// backup service, the job queues, the clock, the config, a status snapshot, notifications
// and a reload hook; not the watcher, the timers, the sockets or the systemd notifier.
// Daemon implements it; tests implement it with real components and a fake clock, so
// every handler can be called without a daemon or a socket.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "util/time.hpp"
#include "watcher/watch_status.hpp"

namespace mv::vault {
class Vault;
}

namespace mv::daemon {

class BackupService;
class JobQueue;
class Notifications;

/// What `status` shows of the daemon beyond the vault, the queues and the counters.
struct StatusSnapshot {
    struct Watch {
        watcher::WatchStatus status;
        std::optional<SystemTime> next_run; ///< the next scheduled backup, if scheduled
    };
    SystemTime started;
    std::string served_socket; ///< the activated one under socket activation
    std::vector<Watch> watches;
    nlohmann::json replicas = nlohmann::json::array(); ///< docs/REPLICAS.md
    nlohmann::json catalog = nullptr;                  ///< docs/catalog.md; null without one
};

class Services {
public:
    virtual ~Services() = default;

    virtual vault::Vault& vault() = 0;
    virtual BackupService& backups() = 0;
    virtual JobQueue& backup_jobs() = 0;
    /// Verification, diff and compare.
    virtual JobQueue& check_jobs() = 0;
    /// Streams of versions to clients (restore, export, rollback).
    virtual JobQueue& stream_jobs() = 0;
    virtual const Clock& clock() const = 0;
    virtual const config::Config& config() const = 0;
    /// Hooks, webhooks, metrics, D-Bus, the audit log (docs/NOTIFICATIONS.md).
    virtual Notifications& notifications() = 0;
    /// The daemon's status as of `now` (I/O thread).
    virtual StatusSnapshot status_snapshot(SystemTime now) const = 0;
    /// Re-reads the config file and applies it; throws config::ConfigError (the old
    /// config stays) or Error.
    virtual void reload() = 0;
};

} // namespace mv::daemon
