#pragma once
// Planning one backup (docs/CONFIG.md, `triggers` and `checkpoints`): given a model, or
// one checkpoint of a series, whose files were found quiet, run the structural checks,
// gather its metrics, compat and sidecar files, and decide whether a version is made,
// with which trigger, bump and reason. Reads files and the vault; writes nothing.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "util/time.hpp"
#include "vault/vault.hpp"
#include "watcher/quiet.hpp"
#include "watcher/series.hpp"

namespace mv::daemon {

struct BackupRequest;

/// How many times a model that fails its structural check is looked at again (one
/// settle period apart) before it is backed up anyway, flagged `incomplete`.
inline constexpr int k_incomplete_checks = 10;

/// What a plan is made from, besides the vault.
struct PlanContext {
    const config::Watch& watch;
    const BackupRequest& request;
    /// The model's files as they were found quiet (paths relative to the watch root);
    /// each is read only if it still looks like this.
    const std::vector<watcher::FileState>& files;
    const watcher::CheckpointRef* checkpoint = nullptr; ///< the series checkpoint, if any
    bool newest = true;            ///< no newer checkpoint of the series is there
    int failed_checks = 0;         ///< structural checks failed in a row so far
    bool metrics_wait_over = true; ///< no more waiting for fresh metrics
    SystemTime now{};
};

struct BackupPlan {
    bool go = false;
    std::string why_not; ///< when !go: why no version is made (logged at debug/info)
    /// When !go because the model looks unfinished: look again after this long.
    std::optional<std::chrono::milliseconds> recheck_after;
    /// When !go because a metric the triggers need may still come: look again soon.
    bool wait_for_metrics = false;
    vault::NewVersion version; ///< when go
    /// When go with metrics missing: the metrics files they may still come from.
    std::vector<std::string> late_metrics_files;
    /// The state each of them was read in when planning (nullopt: absent or still being
    /// written): a later change brings their metrics.
    std::vector<std::optional<watcher::FileState>> late_metrics_states;
};

/// Plans a backup of `context.request`.
BackupPlan plan_backup(const PlanContext& context, const vault::Vault& vault);

/// Where `file` (relative to the watch root) is stored in a version of the request's model.
std::string stored_path(const BackupRequest& request, const watcher::CheckpointRef* checkpoint,
                        const std::string& file);

/// The model's files (SourceFiles, each expecting its quiet state), the checks of their
/// formats and structure, and of a checkpoint folder's completion. Adds to `version`;
/// returns what looks unfinished and what breaks compatibility (a changed format).
struct FilesChecked {
    std::vector<std::string> unfinished;
    std::vector<std::string> majors;
};
FilesChecked add_model_files(const PlanContext& context,
                             const std::optional<vault::Manifest>& latest,
                             vault::NewVersion& version);

/// Adds the watch's sidecars (templates next to the model) to `version`.
void add_sidecars(const PlanContext& context, vault::NewVersion& version);

} // namespace mv::daemon
