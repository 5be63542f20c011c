#pragma once
// The metric history chart (docs/HTTP.md, "Dashboard"): one point per version that
// recorded the metric, oldest first, coloured by trigger, the best version ringed.
// Server-side SVG, pure: the same chart in the dashboard and in the report, with no
// script and no charting library.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mv::web {

struct ChartPoint {
    std::string version;
    double value = 0;
    std::string trigger; ///< "change", "improvement", ... (a CSS class)
    bool best = false;
};

/// Every numeric leaf of the rows' `metrics` as a JSON pointer ("/eval/win_rate"),
/// sorted, each once. `rows` are `list` rows.
std::vector<std::string> metric_names(const nlohmann::json& rows);

/// The points of `metric` (a JSON pointer) for `rows` (`list` rows, newest first):
/// oldest first, rows without the metric left out.
std::vector<ChartPoint> chart_points(const nlohmann::json& rows, const std::string& metric);

/// An <svg class="chart"> with one <circle class="point trigger-T"> per point, a ring
/// around the best, the line through them and the axes' end values. An empty `points`
/// gives a note instead of a chart.
std::string chart_svg(const std::vector<ChartPoint>& points, std::string_view metric);

} // namespace mv::web
