#include "daemon/backup_plan.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "daemon/backup_service.hpp"
#include "daemon/fingerprints.hpp"
#include "daemon/metrics_source.hpp"
#include "daemon/sidecars.hpp"
#include "daemon/triggers.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "util/json_depth.hpp"
#include "vault/compat.hpp"
#include "vault/model_format.hpp"

namespace mv::daemon {

namespace {

using nlohmann::json;
constexpr std::size_t k_max_side_file = 16u << 20;

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

// What the improvement and steps triggers say about the gathered metrics.
struct TriggerVerdicts {
    std::vector<std::string> fired;
    std::vector<std::string> idle;
    std::optional<std::string> improved;
    bool steps_crossed = false;
};

TriggerVerdicts judge_triggers(const config::Triggers& triggers, const GatheredMetrics& metrics,
                               const std::optional<vault::Manifest>& best,
                               const std::optional<vault::Manifest>& latest,
                               const std::string& id) {
    TriggerVerdicts verdicts;
    if (triggers.improvement) {
        const auto& rule = *triggers.improvement;
        std::string problem;
        if (const auto value = read_metric(metrics.document, rule.metric, problem);
            value && !metrics.missing) {
            const auto verdict =
                judge_improvement(rule, recorded_metric(best, rule.metric), *value);
            (verdict.improved ? verdicts.fired : verdicts.idle).push_back(verdict.reason);
            if (verdict.improved) {
                verdicts.improved = verdict.reason;
            }
        } else {
            spdlog::warn("{}: cannot read metrics: {}; no improvement can be judged (a version, "
                         "if any, is a patch and never best)",
                         id, metrics.why.empty() ? problem : metrics.why);
            verdicts.idle.push_back(fmt::format("metric {} unavailable", rule.metric));
        }
    }
    if (triggers.steps) {
        const auto& rule = *triggers.steps;
        const json* counter = nullptr;
        try {
            counter = &metrics.document.at(json::json_pointer(rule.counter));
        } catch (const json::exception&) {
        }
        if (counter != nullptr && counter->is_number_integer()) {
            const auto verdict = judge_steps(rule, recorded_counter(latest, rule.counter),
                                             counter->get<std::int64_t>());
            verdicts.steps_crossed = verdict.crossed;
            (verdict.crossed ? verdicts.fired : verdicts.idle).push_back(verdict.reason);
        } else {
            spdlog::warn("{}: steps counter {} is missing or not an integer", id, rule.counter);
            verdicts.idle.push_back(fmt::format("counter {} unavailable", rule.counter));
        }
    }
    return verdicts;
}

// A JSON file next to the model (compat), read below the watch root without following
// symlinks; nullopt with `problem` set.
std::optional<json> read_json_file(const config::Watch& watch, const std::string& relative,
                                   std::string& problem) {
    auto text = fs::read_file_beneath(watch.path, relative, k_max_side_file);
    if (!text) {
        problem = text.error();
        return std::nullopt;
    }
    // A file nested thousands deep would overflow the stack when copied into the manifest
    // (util/json_depth.hpp).
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

// Compatibility keys: a changed value is a major version.
void add_compat(const PlanContext& context, const vault::Vault& vault, const std::string& id,
                vault::NewVersion& version, std::vector<std::string>& majors) {
    const config::Watch& watch = context.watch;
    if (!watch.compat) {
        return;
    }
    const std::string model_file =
        context.checkpoint ? context.checkpoint->member : context.request.model;
    std::string problem;
    if (const auto document = read_json_file(
            watch, expand_template(watch.compat->file, model_file, watch.name), problem)) {
        version.compat = vault::compat_values(*watch.compat, *document);
        // Each key against the last version that recorded it (vault/compat.hpp).
        std::vector<json> recorded;
        const auto all = vault.versions(id);
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            recorded.push_back(it->compat);
        }
        const auto verdict = judge_compat(vault::last_recorded_compat(recorded), version.compat);
        if (verdict.changed) {
            majors.push_back(verdict.reason);
        }
    } else {
        spdlog::warn("{}: cannot read compat file: {}", id, problem);
    }
}

// The run's parameters (docs/CONFIG.md, `params_file`): stored whole; a file that cannot
// be used records none and does not stop the backup.
void add_params(const PlanContext& context, const std::string& id, vault::NewVersion& version) {
    const config::Watch& watch = context.watch;
    if (watch.params_file.empty()) {
        return;
    }
    const std::string model_file =
        context.checkpoint ? context.checkpoint->member : context.request.model;
    const std::string relative = expand_template(watch.params_file, model_file, watch.name);
    std::string problem;
    auto document = read_json_file(watch, relative, problem);
    if (document && !document->is_object()) {
        problem = fmt::format("{} is not a JSON object", escape_name(relative));
        document.reset();
    }
    if (document) {
        version.params = std::move(*document);
    } else {
        spdlog::warn("{}: no parameters recorded, cannot read params_file: {}", id, problem);
    }
}

// The version's number bump and its reason, once a trigger made it.
void number_and_reason(const BackupRequest& request, const TriggerVerdicts& verdicts,
                       const std::vector<std::string>& majors, const std::string& metrics_why,
                       vault::NewVersion& version) {
    const auto& improved = verdicts.improved;
    const bool automatic =
        request.trigger == vault::Trigger::change || request.trigger == vault::Trigger::schedule;
    version.make_best = improved.has_value();
    version.best_reason = improved.value_or("");
    if (request.bump) {
        version.bump = request.bump;
    } else if (!majors.empty()) {
        version.bump = vault::Bump::major;
    } else if (improved) {
        version.bump = vault::Bump::minor;
    }
    std::vector<std::string> reasons = majors;
    if (!request.reason.empty() && !improved && !verdicts.steps_crossed) {
        reasons.push_back(request.reason);
    }
    reasons.insert(reasons.end(), verdicts.fired.begin(), verdicts.fired.end());
    if (!request.reason.empty() && (improved || verdicts.steps_crossed) && !automatic) {
        reasons.insert(reasons.begin(), request.reason);
    }
    if (version.metrics_missing) {
        reasons.push_back(fmt::format("metrics missing: {}", metrics_why));
    }
    if (version.incomplete) {
        reasons.push_back("flagged incomplete: it failed its format's structural check");
    }
    version.reason = join(reasons, "; ");
}

// A model file that fails its structural check: wait for the writer to finish (true, with
// `plan` saying when to look again) or, after enough checks or for a manual backup, store
// it flagged incomplete (false).
bool wait_for_unfinished(const PlanContext& context, const std::vector<std::string>& unfinished,
                         const std::string& id, BackupPlan& plan) {
    const BackupRequest& request = context.request;
    // A manual backup never waits: the user asked for this file now.
    if (request.trigger != vault::Trigger::manual &&
        context.failed_checks + 1 < k_incomplete_checks) {
        plan.why_not = fmt::format("looks unfinished ({}); checking again in {}",
                                   join(unfinished, "; "), format_elapsed(context.watch.settle));
        plan.recheck_after = context.watch.settle;
        return true;
    }
    plan.version.incomplete = true;
    spdlog::warn("{}: looks unfinished ({}){}; backing it up anyway, flagged incomplete", id,
                 join(unfinished, "; "),
                 request.trigger == vault::Trigger::manual
                     ? ""
                     : fmt::format(" after {} checks", k_incomplete_checks));
    return false;
}

// Which trigger made this version; false, with `why_not`, when none did.
bool choose_trigger(const config::Watch& watch, const BackupRequest& request,
                    const TriggerVerdicts& verdicts, BackupPlan& plan) {
    const bool automatic =
        request.trigger == vault::Trigger::change || request.trigger == vault::Trigger::schedule;
    if (verdicts.improved) {
        plan.version.trigger = automatic ? vault::Trigger::improvement : request.trigger;
    } else if (verdicts.steps_crossed) {
        plan.version.trigger = automatic ? vault::Trigger::steps : request.trigger;
    } else if (request.trigger == vault::Trigger::change && !watch.triggers.on_change) {
        plan.why_not = verdicts.idle.empty() ? "on_change is off" : join(verdicts.idle, "; ");
        return false;
    } else {
        plan.version.trigger = request.trigger;
    }
    return true;
}

} // namespace

BackupPlan plan_backup(const PlanContext& context, const vault::Vault& vault) {
    const config::Watch& watch = context.watch;
    const BackupRequest& request = context.request;
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
    if (const auto* checkpoint = context.checkpoint) {
        version.checkpoint = vault::CheckpointInfo{checkpoint->name(), checkpoint->step,
                                                   checkpoint->epoch, checkpoint->folder};
    }

    // The model files, their formats and the structural checks.
    auto [unfinished, majors] = add_model_files(context, latest, version);
    if (!unfinished.empty() && wait_for_unfinished(context, unfinished, id, plan)) {
        return plan;
    }

    // Metrics for the improvement and steps triggers, from the name, the checkpoint, or
    // a metrics file no earlier version took.
    const GatheredMetrics metrics =
        gather_metrics({watch, id, context.checkpoint ? context.checkpoint->member : request.model,
                        context.checkpoint, context.newest, context.metrics_wait_over, context.now},
                       vault);
    if (metrics.waiting) {
        plan.why_not = fmt::format("waiting for fresh metrics: {}", metrics.why);
        plan.wait_for_metrics = true;
        return plan;
    }
    version.metrics = metrics.document;
    version.metrics_files = metrics.taken;
    version.metrics_missing = metrics.missing;
    if (metrics.missing) {
        plan.late_metrics_files = metrics.late_files;
        plan.late_metrics_states = metrics.late_states;
    }
    auto verdicts = judge_triggers(watch.triggers, metrics, best, latest, id);
    // A file stored although it failed its structural check is never `best`: its metric
    // may be right, its weights may not be all there (docs/FORMAT.md, `incomplete`).
    if (verdicts.improved && version.incomplete) {
        spdlog::warn("{}: {}, but the file is flagged incomplete: `best` does not move", id,
                     *verdicts.improved);
        std::erase(verdicts.fired, *verdicts.improved);
        verdicts.idle.push_back(*verdicts.improved + "; not best: the file is incomplete");
        verdicts.improved.reset();
    }
    add_compat(context, vault, id, version, majors);
    add_params(context, id, version);

    if (!choose_trigger(watch, request, verdicts, plan)) {
        return plan;
    }
    number_and_reason(request, verdicts, majors, metrics.why, version);
    add_sidecars(context, version);
    plan.go = true;
    return plan;
}

} // namespace mv::daemon
