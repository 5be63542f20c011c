#include "daemon/compat.hpp"

#include <fmt/format.h>

#include "daemon/triggers.hpp"

namespace mv::daemon {

using nlohmann::json;

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

} // namespace mv::daemon
