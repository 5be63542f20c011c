#include "daemon/metrics_source.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "daemon/triggers.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "util/json_depth.hpp"
#include "vault/sha256.hpp"
#include "watcher/filter.hpp"
#include "watcher/quiet.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;
constexpr std::size_t k_max_metrics_file = 16u << 20;

std::optional<std::string> taken_by(const vault::Vault& vault, const std::string& model,
                                    const std::string& sha256) {
    for (const auto& manifest : vault.versions(model)) {
        for (const auto& file : manifest.metrics_files) {
            if (file.sha256 == sha256) {
                return manifest.version.to_string();
            }
        }
    }
    return std::nullopt;
}

std::optional<json> read_json(const config::Watch& watch, const std::string& relative) {
    auto text = fs::read_file_beneath(watch.path, relative, k_max_metrics_file);
    // Too deep a document would overflow the stack when copied (util/json_depth.hpp).
    if (!text || !check_json_depth(*text, relative)) {
        return std::nullopt;
    }
    json parsed = json::parse(*text, nullptr, false);
    return parsed.is_discarded() ? std::nullopt : std::optional<json>(std::move(parsed));
}

// The metrics a folder checkpoint records about itself (Hugging Face, Orbax).
json inside_metrics(const config::Watch& watch, const watcher::CheckpointRef& checkpoint) {
    const std::string inside = watcher::metrics_file_inside(watch);
    if (inside.empty() || !checkpoint.folder) {
        return json::object();
    }
    const auto document = read_json(watch, watcher::join_relative(checkpoint.member, inside));
    if (watch.checkpoints->preset != config::CheckpointPreset::orbax) {
        return document ? trainer_state_metrics(*document) : json::object();
    }
    if (document && document->is_object()) {
        return *document; // Orbax's metrics item: the dict given to save(), as JSON
    }
    // Without a best_fn Orbax keeps no metrics item; a writer may have put them in the
    // step's metadata.
    const auto metadata =
        read_json(watch, watcher::join_relative(checkpoint.member, "_CHECKPOINT_METADATA"));
    return metadata ? orbax_metrics(*metadata) : json::object();
}

// The (pointer, metrics_file template) pairs the watch's triggers need.
std::vector<std::pair<std::string, std::string>> needs(const config::Triggers& triggers) {
    std::vector<std::pair<std::string, std::string>> result;
    if (triggers.improvement) {
        result.emplace_back(triggers.improvement->metric, triggers.improvement->metrics_file);
    }
    if (triggers.steps) {
        result.emplace_back(triggers.steps->counter, triggers.steps->metrics_file);
    }
    return result;
}

} // namespace

bool per_checkpoint(const std::string& pattern) {
    return pattern.find("{stem}") != std::string::npos ||
           pattern.find("{name}") != std::string::npos;
}

bool has_metric(const json& document, const std::string& pointer) {
    try {
        (void)document.at(json::json_pointer(pointer));
        return true;
    } catch (const json::exception&) {
        return false;
    }
}

json name_metrics(const watcher::CheckpointRef& checkpoint) {
    json metrics = json::object();
    if (checkpoint.step) {
        metrics["step"] = *checkpoint.step;
    }
    if (checkpoint.epoch) {
        metrics["epoch"] = *checkpoint.epoch;
    }
    for (const auto& [name, value] : checkpoint.metrics) {
        metrics[name] = value;
    }
    return metrics;
}

json trainer_state_metrics(const json& state) {
    json metrics = json::object();
    if (!state.is_object()) {
        return metrics;
    }
    const json step = state.value("global_step", json());
    if (const auto history = state.find("log_history");
        history != state.end() && history->is_array() && !step.is_null()) {
        for (const auto& entry : *history) {
            if (entry.is_object() && entry.value("step", json()) == step) {
                metrics.merge_patch(entry);
            }
        }
    }
    for (const char* key : {"global_step", "epoch", "best_metric"}) {
        if (const auto value = state.find(key); value != state.end() && value->is_number()) {
            metrics[key] = *value;
        }
    }
    return metrics;
}

json orbax_metrics(const json& metadata) {
    if (metadata.is_object()) {
        if (const auto metrics = metadata.find("metrics");
            metrics != metadata.end() && metrics->is_object()) {
            return *metrics;
        }
    }
    return json::object();
}

MetricsFile read_fresh_metrics(const config::Watch& watch, const std::string& relative,
                               const std::string& model_id, const vault::Vault& vault,
                               SystemTime now) {
    MetricsFile read;
    const std::string shown = escape_name(relative);
    const auto state = watcher::file_state(watch.path, relative);
    if (!state) {
        read.problem = fmt::format("{} is not there", shown);
        read.may_still_come = true;
        return read;
    }
    if (!watcher::judge_quiet({*state}, now, watcher::SteadyTime{}, watch.settle, std::nullopt)
             .quiet) {
        read.problem = fmt::format("{} is being written", shown);
        read.may_still_come = true;
        return read;
    }
    auto text = fs::read_file_beneath(watch.path, relative, k_max_metrics_file);
    if (!text) {
        read.problem = text.error();
        return read;
    }
    read.read_state = state;
    read.sha256 = vault::sha256_hex(*text);
    read.may_still_come = true;
    if (const auto version = taken_by(vault, model_id, read.sha256)) {
        read.problem = fmt::format("{} still holds the metrics version {} took", shown, *version);
        return read;
    }
    if (auto shallow = check_json_depth(*text, shown); !shallow) {
        read.problem = shallow.error();
        return read;
    }
    json parsed = json::parse(*text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        read.problem = fmt::format("{} is not a JSON object", shown);
        return read;
    }
    read.may_still_come = false;
    read.document = std::move(parsed);
    return read;
}

GatheredMetrics gather_metrics(const MetricsContext& context, const vault::Vault& vault) {
    const config::Watch& watch = context.watch;
    GatheredMetrics gathered;
    if (context.checkpoint) {
        gathered.document.merge_patch(name_metrics(*context.checkpoint));
        gathered.document.merge_patch(inside_metrics(watch, *context.checkpoint));
    }
    auto wanted = needs(watch.triggers);
    std::erase_if(wanted,
                  [&](const auto& need) { return has_metric(gathered.document, need.first); });
    if (wanted.empty()) {
        return gathered; // the name or the checkpoint itself said it all
    }
    std::vector<std::string> problems;
    bool may_still_come = false;
    std::vector<std::string> read_paths;
    for (const auto& [pointer, pattern] : wanted) {
        const std::string path = expand_template(pattern, context.model_file, watch.name);
        if (std::find(read_paths.begin(), read_paths.end(), path) != read_paths.end()) {
            continue;
        }
        read_paths.push_back(path);
        if (context.checkpoint && !context.newest && !per_checkpoint(pattern)) {
            // One file for the whole series holds the newest checkpoint's metrics.
            problems.push_back(
                fmt::format("{} belongs to a newer checkpoint of the series", escape_name(path)));
            continue;
        }
        auto read = read_fresh_metrics(watch, path, context.model_id, vault, context.now);
        if (read.document) {
            gathered.document.merge_patch(*read.document);
            gathered.taken.push_back({path, read.sha256});
        } else {
            problems.push_back(read.problem);
        }
        if (read.may_still_come || read.document.has_value()) {
            // A fresh content without the metric may be followed by one with it.
            gathered.late_files.push_back(path);
            gathered.late_states.push_back(read.read_state);
            may_still_come = true;
        }
    }
    std::vector<std::string> absent;
    for (const auto& [pointer, pattern] : wanted) {
        if (!has_metric(gathered.document, pointer)) {
            absent.push_back(pointer);
        }
    }
    if (absent.empty()) {
        gathered.late_files.clear();
        gathered.late_states.clear();
        return gathered;
    }
    gathered.why = fmt::format("no fresh {} ({})", fmt::join(absent, ", "),
                               problems.empty() ? "not in the metrics read"
                                                : fmt::format("{}", fmt::join(problems, "; ")));
    gathered.waiting = may_still_come && !context.wait_over;
    gathered.missing = !gathered.waiting;
    return gathered;
}

} // namespace mv::daemon
