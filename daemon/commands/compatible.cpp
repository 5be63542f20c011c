#include "daemon/commands/compatible.hpp"

#include <fmt/format.h>

#include "daemon/backup_service.hpp"
#include "daemon/services.hpp"
#include "vault/compat.hpp"
#include "vault/model_id.hpp"
#include "vault/vault.hpp"

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

std::optional<config::Compat> compat_rule_of(Services& services, const std::string& model) {
    const auto id = vault::ModelId::parse(model);
    if (!id) {
        return std::nullopt;
    }
    const auto watch = services.backups().find_watch(id->watch);
    if (!watch || !watch->compat) {
        return std::nullopt;
    }
    return watch->compat;
}

std::map<std::string, config::Compat> compat_rules_for(Services& services,
                                                       std::vector<std::string>& models,
                                                       const RunCompat& run, json& warnings) {
    std::map<std::string, config::Compat> rules;
    std::vector<std::string> kept;
    for (const auto& model : models) {
        if (auto rule = compat_rule_of(services, model)) {
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

void require_compatible(Services& services, const vault::Manifest& manifest, const RunCompat& run) {
    vault::require_compatible(compat_rule_of(services, manifest.model), manifest,
                              services.vault().versions(manifest.model), run.name, run.document);
}

} // namespace mv::daemon::commands
