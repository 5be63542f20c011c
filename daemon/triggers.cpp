#include "daemon/triggers.hpp"

#include <cmath>

#include <fmt/format.h>

namespace mv::daemon {

using nlohmann::json;

std::optional<double> read_metric(const json& document, const std::string& pointer,
                                  std::string& problem) {
    try {
        const json& value = document.at(json::json_pointer(pointer));
        if (value.is_number()) {
            return value.get<double>();
        }
        if (value.is_string() && (value == "NaN" || value == "nan")) {
            return std::nan("");
        }
        problem = fmt::format("{} is {}, not a number", pointer, value.dump());
    } catch (const json::exception&) {
        problem = fmt::format("{} is missing", pointer);
    }
    return std::nullopt;
}

std::string format_number(double value) {
    return fmt::format("{:.6g}", value);
}

ImprovementVerdict judge_improvement(const config::ImprovementTrigger& rule,
                                     std::optional<double> best, double value) {
    const std::string& metric = rule.metric;
    if (std::isnan(value)) {
        return {false, fmt::format("metric {} is NaN, which is never best", metric)};
    }
    if (std::isinf(value)) {
        return {false, fmt::format("metric {} is infinite, which is never best", metric)};
    }
    if (!best || std::isnan(*best)) {
        return {true,
                fmt::format("metric {} = {} (first recorded value)", metric, format_number(value))};
    }
    const double gain = rule.mode == config::MetricMode::max ? value - *best : *best - value;
    const double relative = *best == 0.0 ? (gain > 0 ? INFINITY : 0.0) : gain / std::fabs(*best);
    const std::string change =
        fmt::format("{} → {} ({:+.1f}%)", format_number(*best), format_number(value),
                    *best == 0.0 ? 0.0 : 100.0 * (value - *best) / std::fabs(*best));
    if (gain > 0 && gain >= rule.min_delta && relative >= rule.min_relative) {
        return {true, fmt::format("metric {} improved {}", metric, change)};
    }
    if (gain <= 0) {
        return {false, fmt::format("metric {} did not improve: {}", metric, change)};
    }
    return {false,
            fmt::format("metric {} improved {}, less than min_delta {} / min_relative {}", metric,
                        change, format_number(rule.min_delta), format_number(rule.min_relative))};
}

StepsVerdict judge_steps(const config::StepsTrigger& rule, std::optional<std::int64_t> last,
                         std::int64_t counter) {
    const std::int64_t every = rule.every > 0 ? rule.every : 1;
    const auto bucket = [&](std::int64_t value) { return value < 0 ? -1 : value / every; };
    const bool crossed = last ? bucket(counter) > bucket(*last) : counter >= every;
    if (crossed) {
        return {true, fmt::format("counter {} reached {} (every {})", rule.counter,
                                  bucket(counter) * every, every)};
    }
    return {false, fmt::format("counter {} is {}; the next version comes at {}", rule.counter,
                               counter, (bucket(counter) + 1) * every)};
}

CompatVerdict judge_compat(const json& previous, const json& current) {
    if (!previous.is_object() || !current.is_object()) {
        return {};
    }
    for (const auto& [key, value] : current.items()) {
        const auto before = previous.find(key);
        if (before != previous.end() && *before != value) {
            return {true,
                    fmt::format("compat {} changed {} → {}", key, before->dump(), value.dump())};
        }
    }
    return {};
}

std::string expand_template(const std::string& pattern, const std::string& model_file,
                            const std::string& watch_name) {
    std::string folder;
    std::string name = watch_name;
    std::string stem = watch_name;
    if (!model_file.empty()) {
        const std::size_t slash = model_file.rfind('/');
        folder = slash == std::string::npos ? "" : model_file.substr(0, slash + 1);
        name = slash == std::string::npos ? model_file : model_file.substr(slash + 1);
        const std::size_t dot = name.rfind('.');
        stem = dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
    }
    std::string expanded;
    for (std::size_t i = 0; i < pattern.size();) {
        if (pattern.compare(i, 6, "{stem}") == 0) {
            expanded += stem;
            i += 6;
        } else if (pattern.compare(i, 6, "{name}") == 0) {
            expanded += name;
            i += 6;
        } else {
            expanded += pattern[i++];
        }
    }
    return folder + expanded;
}

} // namespace mv::daemon
