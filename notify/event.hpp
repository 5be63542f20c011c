#pragma once
// What happened, as hooks, webhooks, metrics and D-Bus hear it (docs/NOTIFICATIONS.md).
// An Event is a plain value: the daemon fills in what the kind has, and everything that
// tells the world about it reads the same fields.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "util/time.hpp"

namespace mv::notify {

struct Event {
    config::NotifyEvent kind = config::NotifyEvent::backup_created;
    SystemTime time{};
    std::string host;    ///< this machine (filled in by the fan-out)
    std::string watch;   ///< the model's watch, when there is one
    std::string model;   ///< model id text ("lab/dqn.pkl")
    std::string version; ///< created or restored version
    std::string trigger; ///< change, schedule, ... (created, failed); restore or rollback
    std::string reason;  ///< why: the version's reason, the error code, the policy, ...
    std::string path;    ///< the model's file or folder; restore target; the vault (disk_low)
    std::string error;   ///< failure message
    std::string user;    ///< who asked (restored)
    std::string replica; ///< replica_failed: which replica
    std::uint64_t size_bytes = 0;          ///< created: the model's files
    std::uint64_t stored_bytes = 0;        ///< created: the archive
    std::uint64_t reclaimed_bytes = 0;     ///< pruned
    std::uint64_t free_bytes = 0;          ///< disk_low
    std::uint64_t threshold_bytes = 0;     ///< disk_low: warn_free_below
    std::chrono::milliseconds duration{0}; ///< created: how long the backup took
    std::vector<std::string> removed;      ///< pruned: the versions removed
};

/// The event's name ("backup_created").
std::string event_name(const Event& event);

/// The value of every placeholder of config::k_hook_placeholders for `event` ("" when the
/// kind has no such field): hook arguments and MODELVAULT_* variables are built from it.
std::map<std::string, std::string> placeholder_values(const Event& event);

} // namespace mv::notify
