#pragma once
// Where a version's metrics come from (docs/CONFIG.md, "Metrics that belong to the
// weights"), in this order: the checkpoint's own name (Lightning's val_loss=0.32), a file
// inside the checkpoint folder (Hugging Face's trainer_state.json, Orbax's
// _CHECKPOINT_METADATA), a metrics file next to it (the triggers' metrics_file). A job may
// write that file before the checkpoint or after it: a content of it belongs to at most one
// version, so a new version takes a content no earlier version took, or waits for one.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "util/time.hpp"
#include "vault/vault.hpp"
#include "watcher/quiet.hpp"
#include "watcher/series.hpp"

namespace mv::daemon {

/// True when a metrics_file template names one file per checkpoint ({stem}, {name})
/// rather than one file the whole series shares.
bool per_checkpoint(const std::string& pattern);

/// True when `document` has a value at the JSON pointer `pointer`.
bool has_metric(const nlohmann::json& document, const std::string& pointer);

/// {"step": 1200, "epoch": 3, "val_loss": 0.32}: what a checkpoint's name carries.
nlohmann::json name_metrics(const watcher::CheckpointRef& checkpoint);

/// What Hugging Face's trainer_state.json records about its own checkpoint: global_step,
/// epoch, best_metric, and the log_history entries of that step merged (the evaluation
/// comes after the training log of the same step and wins).
nlohmann::json trainer_state_metrics(const nlohmann::json& state);

/// The `metrics` object of an Orbax step's _CHECKPOINT_METADATA, where some writers put
/// them (Orbax itself keeps them in the step's metrics/metrics item).
nlohmann::json orbax_metrics(const nlohmann::json& metadata);

/// A metrics file read for a version.
struct MetricsFile {
    std::optional<nlohmann::json> document; ///< set when it can be used now
    std::string sha256;                     ///< of the content read
    std::string problem;                    ///< why it cannot be used
    bool may_still_come = false;            ///< waiting could help (absent, taken, being written)
    /// The state its content was read in; nullopt when absent or still being written.
    std::optional<watcher::FileState> read_state;
};

/// Reads `relative` (below the watch root) for a version of `model_id`: usable when it is a
/// JSON object, left alone for `settle` at `now`, and no version of the model took this very
/// content before.
MetricsFile read_fresh_metrics(const config::Watch& watch, const std::string& relative,
                               const std::string& model_id, const vault::Vault& vault,
                               SystemTime now);

struct MetricsContext {
    const config::Watch& watch;
    std::string model_id;
    /// What {stem} and {name} of the metrics_file templates expand from: the model file or
    /// the checkpoint, relative to the watch root ("" for layout directory).
    std::string model_file;
    const watcher::CheckpointRef* checkpoint = nullptr;
    bool newest = true;    ///< no newer checkpoint of the series is there
    bool wait_over = true; ///< no more waiting for fresh metrics
    SystemTime now{};
};

struct GatheredMetrics {
    nlohmann::json document = nlohmann::json::object(); ///< everything read, merged
    std::vector<vault::MetricsFileRef> taken;           ///< the metrics contents this version takes
    bool waiting = false; ///< a metric the triggers need may still come: look again soon
    bool missing = false; ///< a metric the triggers need is not there, and will not be waited for
    std::string why;      ///< what is missing or awaited
    std::vector<std::string> late_files; ///< metrics files that may still bring it
    /// For each of late_files, the state it was read in (read_state): what to compare
    /// with when looking for late metrics.
    std::vector<std::optional<watcher::FileState>> late_states;
};

/// Gathers the metrics of one version for the watch's improvement and steps triggers.
/// Throws nothing: what cannot be read is `why`.
GatheredMetrics gather_metrics(const MetricsContext& context, const vault::Vault& vault);

} // namespace mv::daemon
