#pragma once
// The numbers of `modelvaultctl stats` (docs/PROTOCOL.md, "stats"): versions, models,
// bytes, versions per trigger, and each metric's count, min, max, mean and best — for all
// the versions given, per group of a parameter or metric value, and per day or week.
// Pure: manifests in, JSON out; no clock (periods come from the versions' own times).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/where_clause.hpp"
#include "vault/manifest.hpp"

namespace mv::daemon {

enum class Period { none, day, week };

struct StatsRequest {
    std::optional<FieldRef> by;            ///< group by this field's value
    Period over = Period::none;            ///< and/or by UTC day or ISO week (from Monday)
    std::set<std::string> lower_is_better; ///< metric pointers whose best is the lowest
};

/// The statistics of `versions` (docs/PROTOCOL.md, "stats" has every field). A metric is
/// each numeric leaf of the versions' metrics, named by its JSON pointer; its best is the
/// highest value, or the lowest for a pointer in `lower_is_better`, with the version that
/// holds it.
nlohmann::json version_stats(const std::vector<vault::Manifest>& versions,
                             const StatsRequest& request);

} // namespace mv::daemon
