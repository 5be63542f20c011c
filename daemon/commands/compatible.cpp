#include "daemon/commands/compatible.hpp"

#include <fmt/format.h>

#include "daemon/compat.hpp"
#include "daemon/daemon.hpp"
#include "vault/model_id.hpp"

namespace mv::daemon::commands {

std::optional<RunCompat> optional_run_compat(const json& args) {
    const auto it = args.find("compatible_with");
    if (it == args.end() || it->is_null()) {
        return std::nullopt;
    }
    if (!it->is_object() || !it->contains("document") || !it->value("name", json()).is_string()) {
        throw Error("argument \"compatible_with\" must be {\"name\": FILE, \"document\": the "
                    "file's JSON}",
                    ErrorCode::invalid_argument);
    }
    return RunCompat{(*it)["name"].get<std::string>(), (*it)["document"]};
}

std::optional<config::Compat> compat_rule_of(Daemon& daemon, const std::string& model) {
    const auto id = vault::ModelId::parse(model);
    if (!id) {
        return std::nullopt;
    }
    const auto watch = daemon.backups().find_watch(id->watch);
    if (!watch || !watch->compat) {
        return std::nullopt;
    }
    return watch->compat;
}

std::map<std::string, config::Compat> compat_rules_for(Daemon& daemon,
                                                       std::vector<std::string>& models,
                                                       const RunCompat& run, json& warnings) {
    std::map<std::string, config::Compat> rules;
    std::vector<std::string> kept;
    for (const auto& model : models) {
        if (auto rule = compat_rule_of(daemon, model)) {
            rules.emplace(model, std::move(*rule));
            kept.push_back(model);
        }
    }
    if (kept.empty()) {
        throw Error(fmt::format("{} no compat keys to compare with {}: add `compat` to the "
                                "watch in the configuration (docs/CONFIG.md)",
                                models.size() == 1 ? models.front() + " has" : "no model has",
                                run.name),
                    ErrorCode::invalid_argument);
    }
    if (kept.size() < models.size()) {
        warnings.push_back(fmt::format("{} model(s) whose watch has no `compat` are not shown",
                                       models.size() - kept.size()));
    }
    models = std::move(kept);
    return rules;
}

void require_compatible(Daemon& daemon, const vault::Manifest& manifest, const RunCompat& run) {
    const auto rule = compat_rule_of(daemon, manifest.model);
    if (!rule) {
        throw Error(fmt::format("{} has no compat keys to compare with {}: its watch has no "
                                "`compat` in the configuration (docs/CONFIG.md); restore without "
                                "--compatible-with",
                                manifest.model, run.name),
                    ErrorCode::invalid_argument);
    }
    const auto differences = compat_differences(*rule, manifest.compat, run.document);
    if (differences.empty()) {
        return;
    }
    // The way out: the newest version that this run can load, if there is one.
    std::string advice = fmt::format("no version of {} matches {}", manifest.model, run.name);
    const auto versions = daemon.vault().versions(manifest.model);
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        if (compat_differences(*rule, it->compat, run.document).empty()) {
            advice = fmt::format("the newest version this run can load is {}: `modelvaultctl "
                                 "restore {}@{} --compatible-with {} --to DIR`",
                                 it->version.to_string(), manifest.model, it->version.to_string(),
                                 run.name);
            break;
        }
    }
    throw Error(fmt::format("{} {} does not match {} (compat {}):\n{}\nnothing was restored; {}",
                            manifest.model, manifest.version.to_string(), run.name, rule->file,
                            describe(differences), advice),
                ErrorCode::conflict);
}

} // namespace mv::daemon::commands
