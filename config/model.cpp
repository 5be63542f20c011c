#include "config/model.hpp"

namespace mv::config {

std::vector<std::string> default_include() {
    return {"*.h5", "*.hdf5", "*.keras", "*.pkl", "*.pickle", "*.joblib", "*.zip", "*.pt", "*.pth",
            "*.ckpt", "*.onnx", "*.safetensors", "*.gguf",
            // joblib.dump compresses by the name's extension: zlib, gzip, bz2, xz, lzma.
            "*.pkl.z", "*.pkl.gz", "*.pkl.bz2", "*.pkl.xz", "*.pkl.lzma", "*.joblib.z",
            "*.joblib.gz", "*.joblib.bz2", "*.joblib.xz", "*.joblib.lzma"};
}

std::vector<std::string> default_exclude() {
    // tmp-*: Hugging Face's Trainer stages checkpoint-N/ as tmp-checkpoint-N/.
    return {"tmp_*", "tmp-*", "*.tmp", "*.partial", "*.swp", "*~", ".*"};
}

const char* to_string(Codec codec) {
    switch (codec) {
    case Codec::zstd:
        return "zstd";
    case Codec::gzip:
        return "gzip";
    case Codec::xz:
        return "xz";
    case Codec::none:
        return "none";
    }
    return "zstd";
}

const char* to_string(Layout layout) {
    return layout == Layout::files ? "files" : "directory";
}

const char* to_string(MetricMode mode) {
    return mode == MetricMode::max ? "max" : "min";
}

const char* to_string(IoPriority priority) {
    switch (priority) {
    case IoPriority::idle:
        return "idle";
    case IoPriority::best_effort:
        return "best-effort";
    case IoPriority::normal:
        return "normal";
    }
    return "idle";
}

const char* to_string(CheckpointPreset preset) {
    switch (preset) {
    case CheckpointPreset::none:
        return "";
    case CheckpointPreset::lightning:
        return "lightning";
    case CheckpointPreset::huggingface:
        return "huggingface";
    case CheckpointPreset::sb3:
        return "sb3";
    case CheckpointPreset::keras:
        return "keras";
    case CheckpointPreset::orbax:
        return "orbax";
    case CheckpointPreset::torch_dcp:
        return "torch-dcp";
    }
    return "";
}

const char* to_string(LogLevel level) {
    switch (level) {
    case LogLevel::trace:
        return "trace";
    case LogLevel::debug:
        return "debug";
    case LogLevel::info:
        return "info";
    case LogLevel::warn:
        return "warn";
    case LogLevel::error:
        return "error";
    case LogLevel::critical:
        return "critical";
    case LogLevel::off:
        return "off";
    }
    return "info";
}

const char* to_string(NotifyEvent event) {
    switch (event) {
    case NotifyEvent::backup_created:
        return "backup_created";
    case NotifyEvent::backup_failed:
        return "backup_failed";
    case NotifyEvent::pruned:
        return "pruned";
    case NotifyEvent::restored:
        return "restored";
    case NotifyEvent::replica_failed:
        return "replica_failed";
    case NotifyEvent::disk_low:
        return "disk_low";
    }
    return "backup_failed";
}

} // namespace mv::config
