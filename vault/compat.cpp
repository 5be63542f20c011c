#include "vault/compat.hpp"

#include <fmt/format.h>

#include "util/error.hpp"

namespace mv::vault {

using nlohmann::json;

json compat_values(const config::Compat& rule, const json& document) {
    json values = json::object();
    for (const auto& key : rule.keys) {
        try {
            values[key] = document.at(json::json_pointer(key));
        } catch (const json::exception&) {
            // Missing keys are left out: they cannot break compatibility.
        }
    }
    return values;
}

json last_recorded_compat(const std::vector<json>& recorded) {
    json known = json::object();
    for (const json& compat : recorded) {
        if (!compat.is_object()) {
            continue;
        }
        for (const auto& [key, value] : compat.items()) {
            if (!known.contains(key)) {
                known[key] = value;
            }
        }
    }
    return known;
}

std::vector<CompatDifference> compat_differences(const config::Compat& rule, const json& stored,
                                                 const json& document) {
    const json current = compat_values(rule, document);
    std::vector<CompatDifference> differences;
    for (const auto& key : rule.keys) {
        const json* before = stored.is_object() && stored.contains(key) ? &stored.at(key) : nullptr;
        const json* now = current.contains(key) ? &current.at(key) : nullptr;
        if (before == nullptr && now == nullptr) {
            continue;
        }
        if (before == nullptr || now == nullptr || *before != *now) {
            differences.push_back(
                {key, before ? *before : json(nullptr), now ? *now : json(nullptr)});
        }
    }
    return differences;
}

std::string describe(const std::vector<CompatDifference>& differences) {
    std::string text;
    for (const auto& d : differences) {
        text += fmt::format("{}  {}: stored {}, this run {}", text.empty() ? "" : "\n", d.key,
                            d.stored.is_null() ? "(not recorded)" : d.stored.dump(),
                            d.current.is_null() ? "(missing)" : d.current.dump());
    }
    return text;
}

void require_compatible(const std::optional<config::Compat>& rule, const Manifest& manifest,
                        const std::vector<Manifest>& versions, const std::string& run_name,
                        const json& run_document, const std::string& restore_options) {
    if (!rule) {
        throw Error(fmt::format("{} has no compat keys to compare with {}: its watch has no "
                                "`compat` in the configuration (docs/CONFIG.md); restore without "
                                "--compatible-with",
                                manifest.model, run_name),
                    ErrorCode::invalid_argument);
    }
    const auto differences = compat_differences(*rule, manifest.compat, run_document);
    if (differences.empty()) {
        return;
    }
    // The way out: the newest version that this run can load, if there is one.
    std::string advice = fmt::format("no version of {} matches {}", manifest.model, run_name);
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
        if (compat_differences(*rule, it->compat, run_document).empty()) {
            advice = fmt::format("the newest version this run can load is {}: `modelvaultctl "
                                 "restore {}@{}{} --compatible-with {} --to DIR`",
                                 it->version.to_string(), manifest.model, it->version.to_string(),
                                 restore_options, run_name);
            break;
        }
    }
    throw Error(fmt::format("{} {} does not match {} (compat {}):\n{}\nnothing was restored; {}",
                            manifest.model, manifest.version.to_string(), run_name, rule->file,
                            describe(differences), advice),
                ErrorCode::conflict);
}

} // namespace mv::vault
