#pragma once
// Planning one backup (SPEC §3, §6): given a model that settled (or a schedule, or a
// manual request), read its metrics, compat and sidecar files, run the structural check,
// and decide whether a version is made, with which trigger, bump and reason. Reads files
// and the vault; writes nothing.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "vault/vault.hpp"
#include "watcher/quiet.hpp"

namespace mv::daemon {

struct BackupRequest;

/// How many times a model that fails its structural check is looked at again (one
/// settle period apart) before it is backed up anyway, flagged `incomplete`.
inline constexpr int k_incomplete_checks = 10;

struct BackupPlan {
    bool go = false;
    std::string why_not; ///< when !go: why no version is made (logged at debug/info)
    /// When !go because the model looks unfinished: look again after this long.
    std::optional<std::chrono::milliseconds> recheck_after;
    vault::NewVersion version; ///< when go
};

/// Plans a backup of `request` given the model's files as they were found quiet (paths
/// relative to the watch root; each is read only if it still looks like this) and how
/// many structural checks it already failed in a row.
BackupPlan plan_backup(const config::Watch& watch, const BackupRequest& request,
                       const std::vector<watcher::FileState>& files, const vault::Vault& vault,
                       int failed_checks);

} // namespace mv::daemon
