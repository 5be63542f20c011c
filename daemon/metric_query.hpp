#pragma once
// The sort key of `list --sort win_rate` (the conditions of --where, and the fields both
// name, are in daemon/where_clause.hpp).

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/where_clause.hpp"
#include "util/expected.hpp"

namespace mv::daemon {

struct MetricOrder {
    FieldRef field;
    bool descending = true; ///< highest first unless ":asc"
};

/// Parses "FIELD", "FIELD:desc" or "FIELD:asc" (FIELD as parse_field() reads it).
Result<MetricOrder> parse_order(std::string_view text);

/// The numeric value `field` names among a version's params and metrics, if it is one.
std::optional<double> find_number(const FieldRef& field, const nlohmann::json& params,
                                  const nlohmann::json& metrics);

} // namespace mv::daemon
