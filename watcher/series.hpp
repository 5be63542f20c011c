#pragma once
// Checkpoint series (docs/CONFIG.md, `checkpoints`): the many file and folder names one
// training run writes — epoch=3-step=1200.ckpt, checkpoint-500/, rl_model_10000_steps.zip,
// Orbax's 1000/, a DCP folder — are checkpoints of one model. This is the pure part: from
// a path under a watch, which checkpoint (if any) it belongs to, its step, epoch and the
// metrics its name carries; and which names are a framework's temporary ones.
//
// The model of a series is WATCH/DIR/NAME: DIR is the folder that holds the checkpoints,
// NAME the series name (the preset's, see series_name()).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/model.hpp"

namespace mv::watcher {

/// One checkpoint of a series.
struct CheckpointRef {
    std::string member;  ///< the checkpoint (file or folder), relative to the watch root
    std::string dir;     ///< the folder holding it, relative to the watch root ("" = root)
    std::string series;  ///< the series name: the model is dir/series
    bool folder = false; ///< a folder checkpoint (Hugging Face, Orbax, DCP)
    bool alias = false;  ///< Lightning's last.ckpt: a copy of the newest checkpoint
    std::optional<std::int64_t> step;
    std::optional<std::int64_t> epoch;
    std::vector<std::pair<std::string, double>> metrics; ///< values the name carries

    /// The model's path relative to the watch root (dir/series).
    std::string model() const;
    /// The checkpoint's own name (its last path component).
    std::string name() const;
    friend bool operator==(const CheckpointRef&, const CheckpointRef&) = default;
};

/// What a path is to a watch's checkpoint series.
enum class SeriesRole {
    none,   ///< not part of a series: an ordinary file (or folder)
    member, ///< a checkpoint itself: the file, or the folder
    inside, ///< a file inside a folder checkpoint, or a file saved with a file checkpoint
            ///< (Stable-Baselines3's replay buffer and VecNormalize statistics)
};

struct SeriesPath {
    SeriesRole role = SeriesRole::none;
    CheckpointRef checkpoint; ///< for member and inside
};

/// The temporary names frameworks write before a rename (Hugging Face's
/// tmp-checkpoint-N/, Orbax's *.orbax-checkpoint-tmp*, DCP's .metadata.tmp,
/// TensorFlow's *.tmp<hex>, Keras' workertemp_*, ...): a series watch excludes them in
/// addition to its own `exclude`, so they are never models and their rename is seen as
/// the checkpoint appearing.
const std::vector<std::string>& temporary_names();

/// `watch` as the watcher and the scans see it: for a series watch, `exclude` gains
/// temporary_names(). Other watches are returned unchanged.
config::Watch with_series_excludes(config::Watch watch);

/// Pure: what `relative` (a path under `watch`) is to its checkpoint series;
/// `is_directory` says whether the path itself is a folder. Watches without
/// `checkpoints` have no series (always SeriesRole::none).
SeriesPath classify(const config::Watch& watch, std::string_view relative, bool is_directory);

/// A file that makes a folder checkpoint complete, relative to the folder, for the
/// watch's preset ("trainer_state.json", ".metadata", ...); "" when the preset has none.
std::string completion_file(const config::Watch& watch);

/// True for "__<rank>.metadata": what each rank of a torch.distributed.checkpoint saved
/// without collectives writes instead of the coordinator's .metadata.
bool is_dcp_rank_metadata(std::string_view file_name);

/// The file inside a folder checkpoint that records its metrics (Hugging Face's
/// trainer_state.json, Orbax's metrics item metrics/metrics), relative to the folder; ""
/// if none.
std::string metrics_file_inside(const config::Watch& watch);

} // namespace mv::watcher
