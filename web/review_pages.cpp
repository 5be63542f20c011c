#include "web/review_pages.hpp"

#include <fmt/format.h>

#include "http/target.hpp"
#include "util/time.hpp"
#include "web/html.hpp"

namespace mv::web {

using nlohmann::json;

namespace {

std::string header(std::string_view what) {
    return fmt::format("<header><h1><a href=\"/\">modelvault</a></h1><span>{}</span></header>",
                       escape_html(what));
}

std::string bytes_html(const json& value) {
    if (value.is_number_unsigned()) {
        return format_bytes(value.get<std::uint64_t>());
    }
    return value.is_number_integer() && value.get<long long>() >= 0
               ? format_bytes(static_cast<unsigned long long>(value.get<long long>()))
               : "—";
}

std::string number_html(const json& value) {
    return value.is_number() ? escape_html(fmt::format("{:.6g}", value.get<double>())) : "—";
}

std::string model_link(const json& model) {
    const std::string id = model.is_string() ? model.get<std::string>() : "";
    return fmt::format("<a href=\"/models/{}\">{}</a>", escape_html(http::percent_encode(id)),
                       escape_html(id));
}

std::string version_options(const std::string& model, const json& rows, std::size_t selected) {
    std::string out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string version = rows[i].value("version", "");
        out += fmt::format("<option value=\"{}@{}\"{}>{} ({})</option>", escape_html(model),
                           escape_html(version), i == selected ? " selected" : "",
                           escape_html(version), value_html(rows[i].value("created", json())));
    }
    return out;
}

// One row per version the prune would remove: its creation time and why no rule keeps it.
std::string removed_rows(const json& report) {
    std::string rows;
    for (const json& v : report.value("versions", json::array())) {
        if (v.value("verdict", "") != "remove") {
            continue;
        }
        std::string reasons;
        for (const json& reason : v.value("reasons", json::array())) {
            reasons += (reasons.empty() ? "" : ", ") + value_html(reason);
        }
        rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", value_html(v["version"]),
                            value_html(v.value("created", json())), reasons);
    }
    return rows;
}

std::string files_table(const json& files) {
    std::string rows;
    std::size_t unchanged = 0;
    for (const json& f : files) {
        const std::string status = f.value("status", "");
        if (status == "same") {
            ++unchanged;
            continue;
        }
        const json blocks = f.value("identical_blocks", json());
        const json renamed = f.value("member_b", json());
        rows += fmt::format(
            "<tr class=\"{}\"><td>{}{}</td><td>{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape_html(status), value_html(f["member"]),
            renamed.is_string() ? " → " + value_html(renamed) : "", escape_html(status),
            status == "added" ? "—" : bytes_html(f["size_a"]),
            status == "removed" ? "—" : bytes_html(f["size_b"]),
            status == "changed" ? bytes_html(f["shared_bytes"]) : "—",
            blocks.is_number() ? fmt::format("{:.1f}%", 100.0 * blocks.get<double>()) : "—");
    }
    const std::string same =
        unchanged > 0 ? fmt::format("<p>{} identical file(s) not shown.</p>", unchanged) : "";
    if (rows.empty()) {
        return "<h3>Files</h3><p class=\"empty\">No file differs.</p>" + same;
    }
    return "<h3>Files</h3><table class=\"files\"><tr><th>file</th><th>change</th>"
           "<th class=\"num\">size A</th><th class=\"num\">size B</th>"
           "<th class=\"num\">shared</th><th class=\"num\">identical blocks</th></tr>" +
           rows + "</table>" + same;
}

std::string metrics_table(const json& metrics) {
    std::string rows;
    for (const json& m : metrics) {
        rows +=
            fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                        "<td class=\"num\">{}</td></tr>",
                        value_html(m["metric"]), number_html(m.value("a", json())),
                        number_html(m.value("b", json())), number_html(m.value("delta", json())));
    }
    if (rows.empty()) {
        return "<h3>Metrics</h3><p class=\"empty\">No metric differs.</p>";
    }
    return "<h3>Metrics</h3><table class=\"metrics\"><tr><th>metric</th><th class=\"num\">A</th>"
           "<th class=\"num\">B</th><th class=\"num\">change</th></tr>" +
           rows + "</table>";
}

std::string compat_table(const json& compat) {
    std::string rows;
    for (const json& c : compat) {
        rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", value_html(c["key"]),
                            value_html(c.value("a", json())), value_html(c.value("b", json())));
    }
    return rows.empty() ? ""
                        : "<h3>Compat values</h3><table class=\"compat\"><tr><th>key</th>"
                          "<th>A</th><th>B</th></tr>" +
                              rows + "</table>";
}

std::string audit_form(const json& filters) {
    return fmt::format(
        "<form class=\"filters\" method=\"get\" action=\"/audit\"><label>since <input "
        "name=\"since\" value=\"{}\" placeholder=\"2026-11-30T00:00:00Z\"></label> <label>user "
        "<input name=\"user\" value=\"{}\"></label> <button>show</button></form>",
        escape_html(filters.value("since", "")), escape_html(filters.value("user", "")));
}

} // namespace

std::string diff_form(const std::string& model, const json& rows) {
    if (!rows.is_array() || rows.size() < 2) {
        return "";
    }
    return fmt::format("<section class=\"diff-form\"><h2>Compare two versions</h2>"
                       "<form method=\"get\" action=\"/diff\"><label>A <select name=\"a\">{}"
                       "</select></label> <label>B <select name=\"b\">{}</select></label> "
                       "<button>diff</button></form></section>",
                       version_options(model, rows, 1), version_options(model, rows, 0));
}

std::string prune_section(const json& prune) {
    constexpr std::string_view heading = "<section class=\"prune\"><h2>Next prune</h2>";
    if (prune.is_null()) {
        return std::string(heading) +
               "<p class=\"note\">What the next prune would remove is shown to holders of a "
               "write token (a prune, even a dry run, is a write command).</p></section>";
    }
    const json models = prune.value("models", json::array());
    const json report = models.empty() ? json::object() : models.front();
    std::string problems;
    for (const json& error : report.value("errors", json::array())) {
        problems += "<p class=\"problem\">" + value_html(error) + "</p>";
    }
    const std::string rows = removed_rows(report);
    const std::string policy = report.contains("policy") ? fmt::format("<p>Retention: {}.</p>",
                                                                       value_html(report["policy"]))
                                                         : "";
    if (rows.empty()) {
        return std::string(heading) + policy + "<p class=\"nothing\">It would remove nothing.</p>" +
               problems + "</section>";
    }
    return fmt::format(
        "{}{}<p>It would remove {} version(s), {}:</p><table class=\"prune\"><tr>"
        "<th>version</th><th>created</th><th>why it is not kept</th></tr>{}</table>{}</section>",
        heading, policy, value_html(report.value("removed", json())),
        bytes_html(report.value("reclaimed_bytes", json())), rows, problems);
}

std::string diff_page(const json& diff) {
    const json a = diff.value("a", json::object());
    const json b = diff.value("b", json::object());
    const json shared = diff.value("shared", json::object());
    const std::string title =
        fmt::format("{}@{} → {}@{}", a.value("model", ""), a.value("version", ""),
                    b.value("model", ""), b.value("version", ""));
    const std::string body = fmt::format(
        "{}<h2>{} {} → {} {}</h2><p>A is from {}, B from {}.{} B shares {} of its {} with A "
        "(stored once).</p>{}{}{}",
        header("diff"), model_link(a.value("model", json())),
        value_html(a.value("version", json())), model_link(b.value("model", json())),
        value_html(b.value("version", json())), value_html(a.value("created", json())),
        value_html(b.value("created", json())),
        diff.value("different_models", false) ? " They are two different models." : "",
        bytes_html(shared.value("bytes", json())), bytes_html(shared.value("bytes_b", json())),
        files_table(diff.value("files", json::array())),
        metrics_table(diff.value("metrics", json::array())),
        compat_table(diff.value("compat", json::array())));
    return html_page(title + " — modelvault", body);
}

std::string audit_page(const json& audit, const json& filters) {
    const json records = audit.value("records", json::array());
    std::string rows;
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
        const json& r = *it;
        const std::string error = r.value("error", "");
        rows += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}{}</td>"
            "<td>{}</td></tr>",
            value_html(r.value("time", json())), value_html(r.value("user", json())),
            value_html(r.value("command", json())), value_html(r.value("target", json())),
            r.value("result", "") == "ok" ? "ok" : "problem", value_html(r.value("result", json())),
            error.empty() ? "" : ": " + escape_html(error), value_html(r.value("via", json())));
    }
    const std::string table =
        rows.empty() ? "<p class=\"empty\">No audit record matches.</p>"
                     : "<table class=\"audit\"><tr><th>time</th><th>user</th><th>command</th>"
                       "<th>target</th><th>outcome</th><th>via</th></tr>" +
                           rows + "</table>";
    const std::string body =
        fmt::format("{}<h2>Audit log</h2><p>Who read model data or changed something, newest "
                    "first ({} record(s) from {}).</p>{}{}",
                    header("audit log"), records.size(), value_html(audit.value("file", json())),
                    audit_form(filters), table);
    return html_page("audit log — modelvault", body);
}

} // namespace mv::web
