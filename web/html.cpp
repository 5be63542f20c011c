#include "web/html.hpp"

#include <fmt/format.h>

namespace mv::web {

namespace {

// One style for every page: system fonts, tables that read at a glance, the chart's
// points coloured by trigger (chart.cpp names the classes).
constexpr std::string_view k_style = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 2em 2em; color: #1d2330; }
header { display: flex; gap: 1em; align-items: baseline; border-bottom: 1px solid #d7dbe3; }
header h1 { font-size: 1.3em; }
h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; min-width: 40em; }
th, td { text-align: left; padding: 0.25em 0.8em 0.25em 0; border-bottom: 1px solid #eceff4; }
td.num, th.num { text-align: right; }
td:not(:last-child) { white-space: nowrap; }
a { color: #1f5fbf; text-decoration: none; }
.problem { color: #a32020; }
.tag { background: #eef2f8; border-radius: 3px; padding: 0 0.3em; margin-right: 0.3em; }
.tag-best { background: #fff1c2; }
svg.chart { background: #fafbfd; border: 1px solid #e3e7ee; }
svg.chart .line { fill: none; stroke: #9aa6b8; stroke-width: 1.5; }
svg.chart .axis { stroke: #c5ccd8; }
svg.chart text { font-size: 11px; fill: #5b6475; }
svg.chart .point { stroke: #fff; stroke-width: 1; fill: #5b6475; }
svg.chart .trigger-change { fill: #1f77b4; }
svg.chart .trigger-manual { fill: #9467bd; }
svg.chart .trigger-improvement { fill: #2ca02c; }
svg.chart .trigger-schedule { fill: #ff7f0e; }
svg.chart .trigger-steps { fill: #17becf; }
svg.chart .trigger-import { fill: #8c564b; }
svg.chart .best-ring { fill: none; stroke: #d4a000; stroke-width: 2.5; }
.legend span { margin-right: 1em; }
.legend i { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin-right: 0.3em; }
)";

} // namespace

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

std::string value_html(const nlohmann::json& value) {
    if (value.is_null()) {
        return "—";
    }
    return escape_html(value.is_string() ? value.get<std::string>() : value.dump());
}

std::string html_page(std::string_view title, std::string_view body) {
    return fmt::format("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width\">"
                       "<title>{}</title><style>{}</style></head>\n<body>\n{}\n</body></html>\n",
                       escape_html(title), k_style, body);
}

} // namespace mv::web
