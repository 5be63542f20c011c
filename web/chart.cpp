#include "web/chart.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "web/html.hpp"

namespace mv::web {

using nlohmann::json;

namespace {

constexpr double k_width = 720;
constexpr double k_height = 240;
constexpr double k_left = 70; // room for the value labels
constexpr double k_right = 20;
constexpr double k_top = 20;
constexpr double k_bottom = 40; // room for the version labels

void collect(const json& value, const std::string& pointer, std::set<std::string>& names) {
    if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            // JSON pointer escaping (RFC 6901): ~ is ~0, / is ~1.
            std::string escaped;
            for (const char c : key) {
                escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
            }
            collect(member, pointer + "/" + escaped, names);
        }
    } else if (value.is_number()) {
        names.insert(pointer);
    }
}

std::string number(double value) {
    return fmt::format("{:.4g}", value);
}

} // namespace

std::vector<std::string> metric_names(const json& rows) {
    std::set<std::string> names;
    for (const json& row : rows) {
        collect(row.value("metrics", json::object()), "", names);
    }
    return {names.begin(), names.end()};
}

std::vector<ChartPoint> chart_points(const json& rows, const std::string& metric) {
    std::vector<ChartPoint> points;
    json::json_pointer pointer;
    try {
        pointer = json::json_pointer(metric);
    } catch (const json::exception&) {
        return points;
    }
    for (auto row = rows.rbegin(); row != rows.rend(); ++row) {
        const json metrics = row->value("metrics", json::object());
        if (!metrics.contains(pointer) || !metrics.at(pointer).is_number()) {
            continue;
        }
        const json tags = row->value("tags", json::array());
        points.push_back({row->value("version", ""), metrics.at(pointer).get<double>(),
                          row->value("trigger", ""),
                          std::find(tags.begin(), tags.end(), "best") != tags.end()});
    }
    return points;
}

std::string chart_svg(const std::vector<ChartPoint>& points, std::string_view metric) {
    if (points.empty()) {
        return fmt::format("<p class=\"no-chart\">No version recorded the metric {}.</p>",
                           escape_html(metric));
    }
    const auto [low, high] = std::minmax_element(
        points.begin(), points.end(),
        [](const ChartPoint& a, const ChartPoint& b) { return a.value < b.value; });
    const double min = low->value;
    const double span = high->value > min ? high->value - min : 1;
    const double plot_width = k_width - k_left - k_right;
    const double plot_height = k_height - k_top - k_bottom;
    const auto x_of = [&](std::size_t i) {
        return points.size() == 1 ? k_left + plot_width / 2
                                  : k_left + plot_width * static_cast<double>(i) /
                                                 static_cast<double>(points.size() - 1);
    };
    const auto y_of = [&](double value) {
        return k_top + plot_height * (1 - (value - min) / span);
    };
    std::string line;
    std::string marks;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const ChartPoint& p = points[i];
        const double x = x_of(i);
        const double y = y_of(p.value);
        line += fmt::format("{}{:.1f},{:.1f}", line.empty() ? "" : " ", x, y);
        if (p.best) {
            marks += fmt::format("<circle class=\"best-ring\" cx=\"{:.1f}\" cy=\"{:.1f}\" "
                                 "r=\"9\"/><text class=\"best-label\" x=\"{:.1f}\" y=\"{:.1f}\">"
                                 "best</text>",
                                 x, y, x + 11, y - 8);
        }
        marks += fmt::format("<circle class=\"point trigger-{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" "
                             "r=\"5\" data-version=\"{}\"><title>{} {}: {} ({})</title></circle>",
                             escape_html(p.trigger), x, y, escape_html(p.version),
                             escape_html(p.version), escape_html(metric), number(p.value),
                             escape_html(p.trigger));
    }
    const double bottom = k_height - k_bottom;
    return fmt::format(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" "
        "viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{metric} by version\">"
        "<line class=\"axis\" x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\"/>"
        "<line class=\"axis\" x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/>"
        "<text x=\"{lt}\" y=\"{t}\" text-anchor=\"end\">{max}</text>"
        "<text x=\"{lt}\" y=\"{b}\" text-anchor=\"end\">{min}</text>"
        "<text x=\"{l}\" y=\"{vb}\">{first}</text>"
        "<text x=\"{r}\" y=\"{vb}\" text-anchor=\"end\">{last}</text>"
        "<polyline class=\"line\" points=\"{line}\"/>{marks}</svg>",
        fmt::arg("w", k_width), fmt::arg("h", k_height), fmt::arg("metric", escape_html(metric)),
        fmt::arg("l", k_left), fmt::arg("t", k_top), fmt::arg("b", bottom),
        fmt::arg("r", k_width - k_right), fmt::arg("lt", k_left - 6),
        fmt::arg("max", number(high->value)), fmt::arg("min", number(min)),
        fmt::arg("vb", bottom + 18), fmt::arg("first", escape_html(points.front().version)),
        fmt::arg("last", escape_html(points.back().version)), fmt::arg("line", line),
        fmt::arg("marks", marks));
}

} // namespace mv::web
