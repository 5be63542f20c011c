#include "daemon/backup_plan.hpp"

#include <algorithm>
#include <fcntl.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "daemon/compat.hpp"
#include "daemon/fingerprints.hpp"
#include "daemon/sidecars.hpp"
#include "daemon/triggers.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "util/json_depth.hpp"
#include "vault/model_format.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;
constexpr std::size_t k_max_side_file = 16u << 20;

// A JSON file next to the model (metrics, compat), read below the watch root without
// following symlinks; nullopt with `problem` set.
std::optional<json> read_json_file(const config::Watch& watch, const std::string& relative,
                                   std::string& problem) {
    auto text = fs::read_file_beneath(watch.path, relative, k_max_side_file);
    if (!text) {
        problem = text.error();
        return std::nullopt;
    }
    // A metrics file nested thousands deep would overflow the stack when copied into the
    // manifest (util/json_depth.hpp).
    if (auto shallow = check_json_depth(*text, escape_name((watch.path / relative).string()));
        !shallow) {
        problem = shallow.error();
        return std::nullopt;
    }
    json parsed = json::parse(*text, nullptr, false);
    if (parsed.is_discarded()) {
        problem =
            fmt::format("{} is not valid JSON", escape_name((watch.path / relative).string()));
        return std::nullopt;
    }
    return parsed;
}

std::optional<double> recorded_metric(const std::optional<vault::Manifest>& manifest,
                                      const std::string& pointer) {
    if (!manifest) {
        return std::nullopt;
    }
    std::string ignored;
    return read_metric(manifest->metrics, pointer, ignored);
}

std::optional<std::int64_t> recorded_counter(const std::optional<vault::Manifest>& manifest,
                                             const std::string& pointer) {
    if (!manifest) {
        return std::nullopt;
    }
    try {
        const json& value = manifest->metrics.at(json::json_pointer(pointer));
        if (value.is_number_integer()) {
            return value.get<std::int64_t>();
        }
    } catch (const json::exception&) {
    }
    return std::nullopt;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
    return fmt::format("{}", fmt::join(parts, separator));
}

} // namespace

BackupPlan plan_backup(const config::Watch& watch, const BackupRequest& request,
                       const std::vector<watcher::FileState>& states, const vault::Vault& vault,
                       int failed_checks) {
    std::vector<std::string> files;
    for (const auto& state : states) {
        files.push_back(state.path);
    }
    BackupPlan plan;
    const std::string id = model_text(watch.name, request.model);
    const auto latest = vault.latest(id);
    std::optional<vault::Manifest> best;
    if (const auto best_version = vault.pointer(id, vault::Pointer::best)) {
        best = vault.find(id, *best_version);
    }
    vault::NewVersion& version = plan.version;
    version.model = {watch.name, request.model};
    version.tags = request.tags;
    version.note = request.note;

    // The model files, their formats and the structural check.
    std::vector<std::string> majors;
    std::vector<std::string> unfinished;
    for (const auto& state : states) {
        const std::string& file = state.path;
        const std::string inside = path_in_model(request.model, file);
        version.files.push_back(vault::SourceFile::beneath(watch.path, file, inside));
        version.files.back().expected = vault::ExpectedState{state.device, state.inode, state.size,
                                                             state.mtime_ns, state.ctime_ns};
        auto fd = fs::open_beneath(watch.path, file);
        if (!fd) {
            continue; // the writer reports it with context
        }
        const auto detected = vault::detect_format(fd->get(), inside);
        const auto check = vault::check_structure(fd->get(), detected.format, inside);
        if (!check.complete) {
            unfinished.push_back(fmt::format("{}: {}", escape_name(inside), check.problem));
        }
        if (latest) {
            for (const auto& old : latest->files) {
                if (old.role == vault::FileRole::model && old.path == inside &&
                    old.format != detected.format && old.format != "unknown" &&
                    old.format != "empty" && detected.format != "unknown" &&
                    detected.format != "empty") {
                    majors.push_back(fmt::format("format of {} changed {} → {}",
                                                 escape_name(inside), old.format, detected.format));
                }
            }
        }
    }
    if (watch.layout == config::Layout::directory) {
        if (const auto folder = vault::check_folder(files); !folder.complete) {
            unfinished.push_back(folder.problem);
        }
    }
    if (!unfinished.empty()) {
        // A manual backup never waits: the user asked for this file now.
        if (request.trigger != vault::Trigger::manual && failed_checks + 1 < k_incomplete_checks) {
            plan.why_not = fmt::format("looks unfinished ({}); checking again in {}",
                                       join(unfinished, "; "), format_elapsed(watch.settle));
            plan.recheck_after = watch.settle;
            return plan;
        }
        version.incomplete = true;
        spdlog::warn("{}: looks unfinished ({}){}; backing it up anyway, flagged incomplete", id,
                     join(unfinished, "; "),
                     request.trigger == vault::Trigger::manual
                         ? ""
                         : fmt::format(" after {} checks", k_incomplete_checks));
    }

    // Metrics for the improvement and steps triggers.
    const auto& triggers = watch.triggers;
    const std::string model_file = request.model.empty() ? std::string() : request.model;
    json metrics = json::object();
    const auto load_metrics = [&](const std::string& pattern) -> std::optional<json> {
        std::string problem;
        auto document =
            read_json_file(watch, expand_template(pattern, model_file, watch.name), problem);
        if (!document) {
            spdlog::warn("{}: cannot read metrics: {}", id, problem);
        } else if (document->is_object()) {
            metrics.merge_patch(*document);
        }
        return document;
    };
    std::vector<std::string> fired;
    std::vector<std::string> idle;
    std::optional<std::string> improved_reason;
    if (triggers.improvement) {
        const auto& rule = *triggers.improvement;
        if (const auto document = load_metrics(rule.metrics_file)) {
            std::string problem;
            if (const auto value = read_metric(*document, rule.metric, problem)) {
                const auto verdict =
                    judge_improvement(rule, recorded_metric(best, rule.metric), *value);
                (verdict.improved ? fired : idle).push_back(verdict.reason);
                if (verdict.improved) {
                    improved_reason = verdict.reason;
                }
            } else {
                spdlog::warn("{}: metric {}: {}; no improvement can be judged (a version, if "
                             "any, is a patch)",
                             id, rule.metric, problem);
                idle.push_back(fmt::format("metric {} unavailable", rule.metric));
            }
        } else {
            idle.push_back(fmt::format("metric {} unavailable", rule.metric));
        }
    }
    bool steps_crossed = false;
    if (triggers.steps) {
        const auto& rule = *triggers.steps;
        const auto document =
            rule.metrics_file ==
                    (triggers.improvement ? triggers.improvement->metrics_file : std::string())
                ? std::optional<json>(metrics)
                : load_metrics(rule.metrics_file);
        const json* counter = nullptr;
        try {
            if (document) {
                counter = &document->at(json::json_pointer(rule.counter));
            }
        } catch (const json::exception&) {
        }
        if (counter != nullptr && counter->is_number_integer()) {
            const auto verdict = judge_steps(rule, recorded_counter(latest, rule.counter),
                                             counter->get<std::int64_t>());
            steps_crossed = verdict.crossed;
            (verdict.crossed ? fired : idle).push_back(verdict.reason);
        } else {
            spdlog::warn("{}: steps counter {} is missing or not an integer", id, rule.counter);
            idle.push_back(fmt::format("counter {} unavailable", rule.counter));
        }
    }
    version.metrics = metrics;
    // A file stored although it failed its structural check is never `best`: its metric
    // may be right, its weights may not be all there (docs/FORMAT.md, `incomplete`).
    if (improved_reason && version.incomplete) {
        spdlog::warn("{}: {}, but the file is flagged incomplete: `best` does not move", id,
                     *improved_reason);
        std::erase(fired, *improved_reason);
        idle.push_back(*improved_reason + "; not best: the file is incomplete");
        improved_reason.reset();
    }

    // Compatibility keys: a changed value is a major version.
    if (watch.compat) {
        std::string problem;
        if (const auto document = read_json_file(
                watch, expand_template(watch.compat->file, model_file, watch.name), problem)) {
            version.compat = compat_values(*watch.compat, *document);
            // Each key against the last version that recorded it (daemon/compat.hpp).
            std::vector<json> recorded;
            const auto all = vault.versions(id);
            for (auto it = all.rbegin(); it != all.rend(); ++it) {
                recorded.push_back(it->compat);
            }
            const auto verdict = judge_compat(last_recorded_compat(recorded), version.compat);
            if (verdict.changed) {
                majors.push_back(verdict.reason);
            }
        } else {
            spdlog::warn("{}: cannot read compat file: {}", id, problem);
        }
    }

    // Which trigger made this version, if any.
    const bool automatic =
        request.trigger == vault::Trigger::change || request.trigger == vault::Trigger::schedule;
    if (improved_reason) {
        version.trigger = automatic ? vault::Trigger::improvement : request.trigger;
    } else if (steps_crossed) {
        version.trigger = automatic ? vault::Trigger::steps : request.trigger;
    } else if (request.trigger == vault::Trigger::change && !triggers.on_change) {
        plan.why_not = idle.empty() ? "on_change is off" : join(idle, "; ");
        return plan;
    } else {
        version.trigger = request.trigger;
    }
    version.make_best = improved_reason.has_value();
    version.best_reason = improved_reason.value_or("");
    if (request.bump) {
        version.bump = request.bump;
    } else if (!majors.empty()) {
        version.bump = vault::Bump::major;
    } else if (improved_reason) {
        version.bump = vault::Bump::minor;
    }
    std::vector<std::string> reasons = majors;
    if (!request.reason.empty() && !improved_reason && !steps_crossed) {
        reasons.push_back(request.reason);
    }
    reasons.insert(reasons.end(), fired.begin(), fired.end());
    if (!request.reason.empty() && (improved_reason || steps_crossed) && !automatic) {
        reasons.insert(reasons.begin(), request.reason);
    }
    if (version.incomplete) {
        reasons.push_back("flagged incomplete: it failed its format's structural check");
    }
    version.reason = join(reasons, "; ");

    // Sidecars travel with the version, in their folders below the model's.
    const SidecarSelection sidecars = find_sidecars(watch, model_file, files);
    for (const auto& warning : sidecars.warnings) {
        spdlog::warn("{}: {}", id, warning);
    }
    for (const auto& sidecar : sidecars.files) {
        version.files.push_back(vault::SourceFile::beneath(
            watch.path, sidecar.relative, sidecar.stored_as, vault::FileRole::sidecar));
    }
    plan.go = true;
    return plan;
}

} // namespace mv::daemon
