// What each framework preset of a checkpoint series knows besides its names
// (docs/CONFIG.md, `checkpoints`): its temporary names, its completion file and the file
// in which a checkpoint records its own metrics (the other half of series.cpp).
#include <algorithm>

#include "watcher/series.hpp"

namespace mv::watcher {

using config::CheckpointPreset;

const std::vector<std::string>& temporary_names() {
    static const std::vector<std::string> names = {
        "tmp-*",                   // Hugging Face: tmp-checkpoint-N/ renamed to checkpoint-N/
        "tmp_*",                   //
        "*.orbax-checkpoint-tmp*", // Orbax: <step>.orbax-checkpoint-tmp[-<time>]/ renamed to
                                   // <step>/
        "*.tmp",                   // DCP: .metadata.tmp renamed to .metadata
        "*.tmp[0-9a-f]*",          // TensorFlow's atomic writes: <name>.tmp<hex>
        "*.part",                  //
        "*.partial",               //
        "workertemp_*",            // Keras under a multi-worker strategy
        "tmp????????",             // Python's tempfile names: Keras 3.5+ stages a large
                                   // model's weights next to its .keras file
        "*_temp",                  // TensorFlow checkpoints: <prefix>_temp/ before the merge
    };
    return names;
}

config::Watch with_series_excludes(config::Watch watch) {
    if (watch.checkpoints) {
        for (const auto& name : temporary_names()) {
            if (std::find(watch.exclude.begin(), watch.exclude.end(), name) ==
                watch.exclude.end()) {
                watch.exclude.push_back(name);
            }
        }
    }
    return watch;
}

std::string completion_file(const config::Watch& watch) {
    if (!watch.checkpoints) {
        return "";
    }
    switch (watch.checkpoints->preset) {
    case CheckpointPreset::huggingface:
        return "trainer_state.json"; // written last by Trainer._save_checkpoint
    case CheckpointPreset::torch_dcp:
        return ".metadata"; // FileSystemWriter.finish(), after every .distcp file
    default:
        return "";
    }
}

bool is_dcp_rank_metadata(std::string_view file_name) {
    constexpr std::string_view suffix = ".metadata";
    if (!file_name.starts_with("__") || !file_name.ends_with(suffix) ||
        file_name.size() <= 2 + suffix.size()) {
        return false;
    }
    const auto rank = file_name.substr(2, file_name.size() - 2 - suffix.size());
    return std::all_of(rank.begin(), rank.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string metrics_file_inside(const config::Watch& watch) {
    if (!watch.checkpoints) {
        return "";
    }
    switch (watch.checkpoints->preset) {
    case CheckpointPreset::huggingface:
        return "trainer_state.json";
    case CheckpointPreset::orbax:
        // CheckpointManager.save(step, metrics=...) keeps them as the step's "metrics" item
        // when the manager has a best_fn (JsonCheckpointHandler, file "metrics").
        return "metrics/metrics";
    default:
        return "";
    }
}

} // namespace mv::watcher
