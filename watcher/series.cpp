#include "watcher/series.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "watcher/filter.hpp"

namespace mv::watcher {

namespace {

using config::CheckpointPreset;
using Captures = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string_view> components(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::optional<std::int64_t> to_count(std::string_view text) {
    std::int64_t value = 0;
    if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        })) {
        return std::nullopt;
    }
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> to_metric(std::string_view text) {
    double value = 0;
    if (text.empty() || text.front() == '+') {
        return std::nullopt;
    }
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

bool is_count_name(std::string_view name) {
    return name == "step" || name == "epoch";
}

// Puts captured name=value pairs into `ref`: step and epoch as counts, the rest as
// metrics. False when a value is not a number of the right kind.
bool record(const Captures& captures, CheckpointRef& ref) {
    for (const auto& [name, text] : captures) {
        if (is_count_name(name)) {
            const auto count = to_count(text);
            if (!count) {
                return false;
            }
            (name == "step" ? ref.step : ref.epoch) = *count;
        } else if (const auto value = to_metric(text)) {
            ref.metrics.emplace_back(name, *value);
        } else {
            return false;
        }
    }
    return true;
}

// Matches `name` against pattern parts from part `i` at `pos`, capturing placeholders.
// Placeholders take numbers, so a candidate is any prefix that reads as one.
bool match_parts(const std::vector<config::PatternPart>& parts, std::size_t i,
                 std::string_view name, std::size_t pos, Captures& captures) {
    if (i == parts.size()) {
        return pos == name.size();
    }
    const auto& part = parts[i];
    if (!part.placeholder) {
        return name.substr(pos, part.text.size()) == part.text &&
               match_parts(parts, i + 1, name, pos + part.text.size(), captures);
    }
    for (std::size_t length = name.size() - pos; length > 0; --length) {
        const std::string_view candidate = name.substr(pos, length);
        const bool fits = is_count_name(part.text) ? to_count(candidate).has_value()
                                                   : to_metric(candidate).has_value();
        if (!fits) {
            continue;
        }
        captures.emplace_back(part.text, std::string(candidate));
        if (match_parts(parts, i + 1, name, pos + length, captures)) {
            return true;
        }
        captures.pop_back();
    }
    return false;
}

std::string trim_separators(std::string_view text) {
    while (!text.empty() && (text.back() == '-' || text.back() == '_' || text.back() == '.')) {
        text.remove_suffix(1);
    }
    while (!text.empty() && (text.front() == '-' || text.front() == '_' || text.front() == '.')) {
        text.remove_prefix(1);
    }
    return std::string(text);
}

// Lightning's ModelCheckpoint: "[prefix-]epoch=3-step=1200[-val_loss=0.32][-v1].ckpt" with
// its metric names inserted before each value; "last.ckpt" (and "last-v1.ckpt") copies the
// newest checkpoint.
std::optional<CheckpointRef> lightning_name(std::string_view name) {
    if (!name.ends_with(".ckpt")) {
        return std::nullopt;
    }
    std::string_view stem = name.substr(0, name.size() - 5);
    if (const auto dash = stem.rfind("-v");
        dash != std::string_view::npos && to_count(stem.substr(dash + 2))) {
        stem = stem.substr(0, dash); // the version counter of a repeated name
    }
    CheckpointRef ref;
    ref.series = "lightning";
    if (stem == "last") {
        ref.alias = true;
        return ref;
    }
    // Pieces split at '-'; a piece with '=' starts a name=value pair, one without
    // continues the previous value (a negative number, an exponent such as 1e-05).
    Captures captures;
    std::size_t start = 0;
    while (start <= stem.size()) {
        const std::size_t dash = stem.find('-', start);
        const std::size_t end = dash == std::string_view::npos ? stem.size() : dash;
        const std::string_view piece = stem.substr(start, end - start);
        if (const auto equals = piece.find('='); equals != std::string_view::npos) {
            captures.emplace_back(std::string(piece.substr(0, equals)),
                                  std::string(piece.substr(equals + 1)));
        } else if (!captures.empty()) {
            captures.back().second.append("-").append(piece);
        }
        start = end + 1;
    }
    if (captures.empty() || !record(captures, ref)) {
        return std::nullopt;
    }
    return ref;
}

// Stable-Baselines3's CheckpointCallback: "<prefix>_<steps>_steps.zip", with
// "<prefix>_replay_buffer_<steps>_steps.pkl" and "<prefix>_vecnormalize_<steps>_steps.pkl"
// saved right after it.
std::optional<std::pair<CheckpointRef, std::string>> sb3_name(std::string_view name) {
    const bool model = name.ends_with("_steps.zip");
    if (!model && !name.ends_with("_steps.pkl")) {
        return std::nullopt;
    }
    std::string_view rest = name.substr(0, name.size() - 10);
    const std::size_t underscore = rest.rfind('_');
    if (underscore == std::string_view::npos || underscore == 0) {
        return std::nullopt;
    }
    const auto step = to_count(rest.substr(underscore + 1));
    if (!step) {
        return std::nullopt;
    }
    std::string_view prefix = rest.substr(0, underscore);
    if (!model) {
        bool companion = false;
        for (const std::string_view kind : {"_replay_buffer", "_vecnormalize"}) {
            if (prefix.ends_with(kind) && prefix.size() > kind.size()) {
                prefix.remove_suffix(kind.size());
                companion = true;
                break;
            }
        }
        if (!companion) {
            return std::nullopt;
        }
    }
    CheckpointRef ref;
    ref.series = std::string(prefix);
    ref.step = *step;
    if (model) {
        return std::pair{ref, std::string()};
    }
    return std::pair{ref, std::string(prefix) + "_" + std::to_string(*step) + "_steps.zip"};
}

// Keras' ModelCheckpoint: "<prefix>.<epoch>[-<metric>...].keras|.h5|.weights.h5" — the
// first number after the prefix is the epoch; other numbers are only known by a pattern.
std::optional<CheckpointRef> keras_name(std::string_view name) {
    std::string_view stem;
    for (const std::string_view ext : {".keras", ".h5", ".hdf5"}) {
        if (name.ends_with(ext)) {
            stem = name.substr(0, name.size() - ext.size());
            break;
        }
    }
    for (std::size_t i = 0; i < stem.size(); ++i) {
        const bool starts =
            i == 0 || stem[i - 1] == '.' || stem[i - 1] == '-' || stem[i - 1] == '_';
        if (!starts || !std::isdigit(static_cast<unsigned char>(stem[i]))) {
            continue;
        }
        std::size_t end = i;
        while (end < stem.size() && std::isdigit(static_cast<unsigned char>(stem[end]))) {
            ++end;
        }
        CheckpointRef ref;
        ref.epoch = to_count(stem.substr(i, end - i));
        ref.series = trim_separators(stem.substr(0, i));
        if (ref.series.empty()) {
            ref.series = "keras";
        }
        return ref;
    }
    return std::nullopt;
}

// Folder names ending in a step: Orbax's "<step>" or "<prefix>_<step>", DCP's
// "step_100", Hugging Face's "checkpoint-500".
std::optional<CheckpointRef> numbered_folder(std::string_view name, std::string_view fallback) {
    std::size_t digits = name.size();
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(name[digits - 1]))) {
        --digits;
    }
    const auto step = to_count(name.substr(digits));
    if (!step) {
        return std::nullopt;
    }
    CheckpointRef ref;
    ref.step = step;
    ref.series = trim_separators(name.substr(0, digits));
    if (ref.series.empty()) {
        ref.series = std::string(fallback);
    }
    return ref;
}

// The checkpoint a single name (a file, or a folder when `folder`) stands for, if any,
// and for SB3 companions the checkpoint file they belong to.
std::optional<std::pair<CheckpointRef, std::string>>
name_of_member(const config::Checkpoints& series, std::string_view name, bool folder) {
    const auto alone = [](std::optional<CheckpointRef> ref)
        -> std::optional<std::pair<CheckpointRef, std::string>> {
        if (!ref) {
            return std::nullopt;
        }
        return std::pair{*ref, std::string()};
    };
    if (!series.pattern.empty()) {
        Captures captures;
        CheckpointRef ref;
        if (!match_parts(series.pattern, 0, name, 0, captures) || !record(captures, ref)) {
            return std::nullopt;
        }
        ref.series = series.name.empty() ? series.pattern_text : series.name;
        return alone(ref);
    }
    switch (series.preset) {
    case CheckpointPreset::lightning:
        return alone(lightning_name(name)); // DeepSpeed saves epoch=…ckpt/ as a folder
    case CheckpointPreset::sb3:
        return folder ? std::nullopt : sb3_name(name);
    case CheckpointPreset::keras:
        return folder ? std::nullopt : alone(keras_name(name));
    case CheckpointPreset::huggingface:
        if (!folder || !name.starts_with("checkpoint-")) {
            return std::nullopt;
        }
        return alone(numbered_folder(name, "checkpoint"));
    case CheckpointPreset::orbax:
        // Orbax names step folders by the step alone; a step_prefix needs a pattern.
        if (!folder || name.empty() || !to_count(name)) {
            return std::nullopt;
        }
        return alone(numbered_folder(name, "orbax"));
    case CheckpointPreset::torch_dcp:
        return std::nullopt; // known by its files, see classify()
    case CheckpointPreset::none:
        break;
    }
    return std::nullopt;
}

} // namespace

std::string CheckpointRef::model() const {
    return join_relative(dir, series);
}

std::string CheckpointRef::name() const {
    const std::size_t slash = member.rfind('/');
    return slash == std::string::npos ? member : member.substr(slash + 1);
}

SeriesPath classify(const config::Watch& watch, std::string_view relative, bool is_directory) {
    SeriesPath result;
    if (!watch.checkpoints || relative.empty()) {
        return result;
    }
    const auto parts = components(relative);
    if (watch.checkpoints->preset == CheckpointPreset::torch_dcp &&
        watch.checkpoints->pattern.empty()) {
        // DCP folders have no naming convention, only their files: *.distcp and .metadata,
        // directly inside. Their folder is the checkpoint when its name ends in a number.
        const std::string_view file = parts.back();
        const bool dcp_file =
            file.ends_with(".distcp") || file == ".metadata" || is_dcp_rank_metadata(file);
        if (!is_directory && (parts.size() < 2 || !dcp_file)) {
            return result;
        }
        const std::size_t folder_at = is_directory ? parts.size() - 1 : parts.size() - 2;
        auto ref = numbered_folder(parts[folder_at], "dcp");
        if (!ref) {
            return result;
        }
        ref->member =
            std::string(is_directory ? relative : relative.substr(0, relative.rfind('/')));
        const std::size_t parent = ref->member.rfind('/');
        ref->dir = parent == std::string::npos ? "" : ref->member.substr(0, parent);
        ref->folder = true;
        result.role = is_directory ? SeriesRole::member : SeriesRole::inside;
        result.checkpoint = std::move(*ref);
        return result;
    }
    std::string dir;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const bool last = i + 1 == parts.size();
        const bool folder = !last || is_directory;
        if (auto found = name_of_member(*watch.checkpoints, parts[i], folder)) {
            CheckpointRef& ref = found->first;
            ref.dir = dir;
            ref.folder = folder;
            const bool companion = !found->second.empty();
            ref.member = join_relative(dir, companion ? std::string_view(found->second) : parts[i]);
            result.checkpoint = std::move(ref);
            result.role = last && !companion ? SeriesRole::member : SeriesRole::inside;
            return result;
        }
        dir = join_relative(dir, parts[i]);
    }
    return result;
}

} // namespace mv::watcher
