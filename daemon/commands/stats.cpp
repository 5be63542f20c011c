// stats [WATCH|MODEL] [--by FIELD] [--over day|week]: counts, bytes and metric statistics.
#include <fmt/format.h>

#include "daemon/commands/common.hpp"
#include "daemon/commands/topics.hpp"
#include "daemon/run_stats.hpp"
#include "daemon/services.hpp"
#include "vault/vault.hpp"

namespace mv::daemon::commands {

namespace {

Period parse_period(const std::optional<std::string>& text) {
    if (!text) {
        return Period::none;
    }
    if (*text == "day" || *text == "week") {
        return *text == "day" ? Period::day : Period::week;
    }
    throw Error(fmt::format("over \"{}\" is not day or week", *text), ErrorCode::invalid_argument);
}

// The metrics whose best is their lowest value: the improvement triggers with mode min.
std::set<std::string> lower_is_better(const config::Config& config) {
    std::set<std::string> pointers;
    for (const auto& watch : config.watches) {
        const auto& improvement = watch.triggers.improvement;
        if (improvement && improvement->mode == config::MetricMode::min) {
            pointers.insert(improvement->metric);
        }
    }
    return pointers;
}

void stats(CommandContext& c) {
    Services& d = c.services;
    StatsRequest request;
    if (const auto by = optional_string(c.args, "by")) {
        request.by = value_or_throw(parse_field(*by), "--by: ", ErrorCode::invalid_argument);
    }
    request.over = parse_period(optional_string(c.args, "over"));
    request.lower_is_better = lower_is_better(d.config());
    const auto scope = optional_string(c.args, "scope");
    std::vector<vault::Manifest> versions;
    for (const auto& model : models_in_scope(d, scope)) {
        for (auto& m : d.vault().versions(model)) {
            versions.push_back(std::move(m));
        }
    }
    json result = version_stats(versions, request);
    result["scope"] = scope ? json(*scope) : json(nullptr);
    result["generated"] = format_utc(d.clock().now());
    c.responder->succeed(std::move(result));
}

} // namespace

void register_stats(CommandRegistry& registry) {
    registry.add({"stats", AccessLevel::read, "counts, bytes and metric statistics", stats});
}

} // namespace mv::daemon::commands
