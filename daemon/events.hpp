#pragma once
// The events the daemon reports (docs/NOTIFICATIONS.md, "Events"), built from what the
// backup service and the command handlers know at each point.

#include <chrono>
#include <string>

#include "config/model.hpp"
#include "daemon/pruner.hpp"
#include "notify/event.hpp"
#include "util/error.hpp"
#include "vault/manifest.hpp"

namespace mv::daemon {

/// backup_created: `manifest` was committed from `relative` of `watch` in `elapsed`.
notify::Event created_event(const config::Watch& watch, const std::string& relative,
                            const vault::Manifest& manifest, std::chrono::milliseconds elapsed,
                            SystemTime now);

/// backup_failed: a backup of `model` (of watch `watch`, at `path`) failed with `code`.
notify::Event failed_event(const std::string& watch, const std::string& model,
                           const std::string& trigger, const std::string& path, ErrorCode code,
                           const std::string& message, SystemTime now);

/// pruned: retention removed `report.removed` from `report.model` under `policy`.
notify::Event pruned_event(const PruneReport& report, const std::string& policy, SystemTime now);

/// restored: `manifest` was handed to `user` to restore into `path` (`how` "restore", the
/// folder as the client named it), or put back in its watched folder (`how` "rollback").
notify::Event restored_event(const vault::Manifest& manifest, const std::string& how,
                             const std::string& path, const std::string& user, SystemTime now);

} // namespace mv::daemon
