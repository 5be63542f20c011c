#include "web/pages.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "http/models.hpp"
#include "http/target.hpp"
#include "util/time.hpp"
#include "web/chart.hpp"
#include "web/html.hpp"
#include "web/review_pages.hpp"

namespace mv::web {

using nlohmann::json;

namespace {

std::string tags_html(const json& tags) {
    std::string out;
    for (const json& tag : tags) {
        const std::string name = tag.is_string() ? tag.get<std::string>() : tag.dump();
        out += fmt::format("<span class=\"tag tag-{}\">{}</span>", escape_html(name),
                           escape_html(name));
    }
    return out;
}

std::string watches_table(const json& status) {
    std::string rows;
    for (const json& w : status.value("watches", json::array())) {
        const json last = w.value("last_backup", json());
        rows += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>"
            "<td>{}</td><td class=\"problem\">{}</td></tr>",
            value_html(w["name"]), value_html(w["path"]), value_html(w["state"]),
            value_html(w["models"]),
            last.is_object() ? fmt::format("{} {} at {}", value_html(last["model"]),
                                           value_html(last["version"]), value_html(last["time"]))
                             : "—",
            value_html(w.value("next_run", json())), escape_html(w.value("message", "")));
    }
    return "<h2>Watches</h2><table class=\"watches\"><tr><th>watch</th><th>folder</th>"
           "<th>state</th><th class=\"num\">models</th><th>last backup</th><th>next run</th>"
           "<th></th></tr>" +
           rows + "</table>";
}

std::string models_table(const json& list, const ModelLink& link) {
    std::string rows;
    const json models = http::models_from_list(list); // the loop must not outlive it
    for (const json& m : models["models"]) {
        const std::string id = m["model"];
        rows += fmt::format("<tr><td><a href=\"{}\">{}</a></td><td class=\"num\">{}</td><td>{}</td>"
                            "<td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                            escape_html(link(id)), escape_html(id), value_html(m["versions"]),
                            value_html(m["latest"]), value_html(m["latest_created"]),
                            value_html(m["best"]),
                            format_bytes(m["stored_bytes"].get<std::uint64_t>()));
    }
    if (rows.empty()) {
        return "<h2>Models</h2><p>No versions yet: they appear here once a watched model is "
               "backed up.</p>";
    }
    return "<h2>Models</h2><table class=\"models\"><tr><th>model</th><th class=\"num\">versions"
           "</th><th>latest</th><th>created</th><th>best</th><th class=\"num\">stored</th></tr>" +
           rows + "</table>";
}

std::string problems_list(const json& status) {
    std::string items;
    if (const json error = status.value("last_error", json()); error.is_object()) {
        items +=
            fmt::format("<li>{}: {}</li>", value_html(error["time"]), value_html(error["message"]));
    }
    for (const json& damaged : status["vault"].value("damaged", json::array())) {
        items += fmt::format("<li>damaged sidecar {}: {}</li>", value_html(damaged["sidecar"]),
                             value_html(damaged["problem"]));
    }
    if (status["vault"].value("disk_low", false)) {
        items += "<li>the vault's file system is below warn_free_below</li>";
    }
    return items.empty() ? "" : "<h2>Problems</h2><ul class=\"problem\">" + items + "</ul>";
}

// A version's notes (modelvaultctl note): each text with its labels, oldest first.
std::string notes_html(const json& notes) {
    std::string out;
    for (const json& note : notes) {
        if (note.is_object()) {
            out += fmt::format("<p class=\"note\">{}{}</p>", escape_html(note.value("text", "")),
                               tags_html(note.value("tags", json::array())));
        }
    }
    return out;
}

// How far each replica is behind (docs/REPLICAS.md): what is not off-site yet, since
// when, and its last error.
std::string replicas_table(const json& status) {
    std::string rows;
    for (const json& r : status.value("replicas", json::array())) {
        const json age = r.value("oldest_pending_age_seconds", json());
        rows += fmt::format(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
            "<td>{}</td><td>{}</td><td class=\"problem\">{}</td></tr>",
            value_html(r["name"]), value_html(r["where"]),
            value_html(r.value("pending_versions", json())),
            format_bytes(r.value("pending_bytes", 0ULL)),
            age.is_number() ? format_elapsed(std::chrono::milliseconds(
                                  static_cast<long long>(age.get<double>() * 1000)))
                            : "up to date",
            value_html(r.value("last_success", json())),
            escape_html(r.value("last_error", json()).is_string()
                            ? r["last_error"].get<std::string>()
                            : ""));
    }
    if (rows.empty()) {
        return "";
    }
    return "<h2>Replicas</h2><table class=\"replicas\"><tr><th>replica</th><th>where</th>"
           "<th class=\"num\">versions behind</th><th class=\"num\">bytes behind</th>"
           "<th>lag</th><th>last success</th><th></th></tr>" +
           rows + "</table>";
}

std::string versions_table(const json& rows, const std::string& metric) {
    std::string body;
    std::optional<json::json_pointer> pointer;
    try {
        pointer.emplace(metric);
    } catch (const json::exception&) {
        // Not a JSON pointer (a hand-written ?metric=): no column values, the chart says so.
    }
    for (const json& row : rows) {
        const json metrics = row.value("metrics", json::object());
        const bool has = !metric.empty() && pointer && metrics.contains(*pointer);
        body += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}"
            "</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>"
            "<td class=\"notes\">{}</td></tr>",
            value_html(row.value("version", json())), value_html(row.value("created", json())),
            value_html(row.value("trigger", json())), value_html(row.value("bump", json())),
            tags_html(row.value("tags", json::array())),
            has ? value_html(metrics.at(*pointer)) : "—", format_bytes(row.value("size", 0ULL)),
            format_bytes(row.value("stored", 0ULL)), escape_html(row.value("reason", "")),
            notes_html(row.value("notes", json::array())));
    }
    return fmt::format("<table class=\"versions\"><tr><th>version</th><th>created</th>"
                       "<th>trigger</th><th>bump</th><th>tags</th><th class=\"num\">{}</th>"
                       "<th class=\"num\">size</th><th class=\"num\">stored</th><th>why</th>"
                       "<th>notes</th></tr>{}</table>",
                       metric.empty() ? "metric" : escape_html(metric), body);
}

std::string legend(const std::vector<ChartPoint>& points) {
    std::vector<std::string> seen;
    std::string out;
    for (const ChartPoint& p : points) {
        if (std::find(seen.begin(), seen.end(), p.trigger) == seen.end()) {
            seen.push_back(p.trigger);
            out += fmt::format("<span><svg width=\"10\" height=\"10\" class=\"chart\" "
                               "style=\"border:0;background:none\"><circle class=\"swatch "
                               "trigger-{}\" cx=\"5\" cy=\"5\" r=\"5\"/></svg> {}</span>",
                               escape_html(p.trigger), escape_html(p.trigger));
        }
    }
    return "<p class=\"legend\">" + out + "</p>";
}

// The first metric whose value differs between versions (a counter that never moves
// makes a flat chart), else the first one.
std::string default_metric(const json& rows, const std::vector<std::string>& names) {
    for (const std::string& name : names) {
        const auto points = chart_points(rows, name);
        for (const ChartPoint& point : points) {
            if (point.value != points.front().value) {
                return name;
            }
        }
    }
    return names.empty() ? "" : names.front();
}

// `nav`: links in the header to the dashboard's other pages (none in the report, a file).
std::string overview_body(const json& status, const json& list, const ModelLink& link,
                          std::string_view nav) {
    const json vault = status.value("vault", json::object());
    return fmt::format("<header><h1>modelvault</h1><span>{} models, {} versions, {} stored, {} "
                       "free in {}</span>{}</header>{}{}{}{}",
                       value_html(vault["models"]), value_html(vault["versions"]),
                       format_bytes(vault.value("stored_bytes", 0ULL)),
                       format_bytes(vault.value("free_bytes", 0ULL)), value_html(vault["path"]),
                       nav, problems_list(status), watches_table(status), replicas_table(status),
                       models_table(list, link));
}

} // namespace

std::string overview_page(const json& status, const json& list, const ModelLink& link) {
    return html_page("modelvault", overview_body(status, list, link,
                                                 "<nav><a href=\"/audit\">audit log</a></nav>"));
}

std::string report_page(const json& status, const json& list) {
    std::string body = overview_body(
        status, list, [](const std::string& model) { return "#" + model; }, "");
    // `list` rows are newest first across models; each section takes its model's rows.
    std::map<std::string, json> rows;
    for (const json& row : list.value("versions", json::array())) {
        rows[row.value("model", "")].push_back(row);
    }
    for (const auto& [model, model_rows] : rows) {
        body += model_section(model, model_rows, "", false);
    }
    return html_page("modelvault report", body);
}

std::string model_section(const std::string& model, const json& rows, const std::string& metric,
                          bool metric_links) {
    const auto names = metric_names(rows);
    const std::string shown = !metric.empty() ? metric : default_metric(rows, names);
    std::string links;
    if (metric_links && names.size() > 1) {
        for (const std::string& name : names) {
            links += name == shown ? fmt::format("<b>{}</b> ", escape_html(name))
                                   : fmt::format("<a href=\"?metric={}\">{}</a> ",
                                                 http::percent_encode(name), escape_html(name));
        }
        links = "<p class=\"metrics\">Metrics: " + links + "</p>";
    }
    const auto points = shown.empty() ? std::vector<ChartPoint>() : chart_points(rows, shown);
    return fmt::format("<section class=\"model\" id=\"{}\"><h2>{}</h2>{}{}{}{}</section>",
                       escape_html(model), escape_html(model), links,
                       shown.empty() ? "<p class=\"no-chart\">No version recorded metrics.</p>"
                                     : chart_svg(points, shown),
                       points.empty() ? "" : legend(points), versions_table(rows, shown));
}

std::string model_page(const std::string& model, const json& list, const std::string& metric,
                       const json& prune) {
    const json rows = list.value("versions", json::array());
    const std::string body =
        fmt::format("<header><h1><a href=\"/\">modelvault</a></h1><span>{}</span></header>{}{}{}",
                    escape_html(model), model_section(model, rows, metric, true),
                    diff_form(model, rows), prune_section(prune));
    return html_page(model + " — modelvault", body);
}

} // namespace mv::web
