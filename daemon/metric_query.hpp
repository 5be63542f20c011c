#pragma once
// Metric conditions and sort keys for `list --where 'win_rate>=0.6' --sort win_rate`.
// A metric is named by a JSON pointer ("/eval/win_rate") or by a plain key name found
// anywhere in a version's recorded metrics ("win_rate": the first match, depth first).

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/expected.hpp"

namespace mv::daemon {

/// The numeric value of `metric` in `metrics`, if it is there and a number.
std::optional<double> find_metric(const nlohmann::json& metrics, std::string_view metric);

struct MetricCondition {
    enum class Op { less, less_equal, greater, greater_equal, equal, not_equal };
    std::string metric;
    Op op = Op::greater_equal;
    double value = 0;

    /// True when `metrics` has the metric and it satisfies the comparison.
    bool matches(const nlohmann::json& metrics) const;
};

/// Parses "METRIC OP NUMBER" with OP one of < <= > >= == != (spaces optional).
Result<MetricCondition> parse_condition(std::string_view text);

struct MetricOrder {
    std::string metric;
    bool descending = true; ///< highest first unless ":asc"
};

/// Parses "METRIC", "METRIC:desc" or "METRIC:asc".
Result<MetricOrder> parse_order(std::string_view text);

} // namespace mv::daemon
