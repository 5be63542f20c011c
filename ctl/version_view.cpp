#include "ctl/version_view.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ctl/output.hpp"
#include "ctl/request.hpp"

namespace mv::ctl {

using nlohmann::json;

namespace {

std::string join_strings(const json& list) {
    std::vector<std::string> items;
    for (const auto& item : list) {
        items.push_back(item.get<std::string>());
    }
    return fmt::format("{}", fmt::join(items, ","));
}

// The newest note of a list row: the last one added, else the one given at backup time.
std::string newest_note(const json& row) {
    const json notes = row.value("notes", json::array());
    return notes.empty() ? row.value("note", "") : notes.back()["text"].get<std::string>();
}

// A --where or --sort column: numbers in 6 significant digits, strings as they are.
std::string cell_text(const json& value) {
    if (value.is_number()) {
        return fmt::format("{:.6g}", value.get<double>());
    }
    if (value.is_string()) {
        return value.get<std::string>();
    }
    return value.is_null() ? "-" : value.dump();
}

json checkpoint_step(const json& version) {
    return version.contains("checkpoint") && version["checkpoint"].is_object()
               ? version["checkpoint"]["step"]
               : json();
}

} // namespace

ListColumns ListColumns::of(const json& result) {
    const json& versions = result["versions"];
    ListColumns columns;
    // Checkpoint series have steps: a column for them when any version has one.
    columns.steps = std::any_of(versions.begin(), versions.end(),
                                [](const json& v) { return checkpoint_step(v).is_number(); });
    // The metrics named by --where and --sort are columns, after SIZE.
    for (const auto& metric : result.value("metric_columns", json::array())) {
        columns.metrics.push_back(metric.get<std::string>());
    }
    // Notes are a column when any version has one.
    columns.notes = std::any_of(versions.begin(), versions.end(),
                                [](const json& v) { return !newest_note(v).empty(); });
    return columns;
}

std::vector<std::string> ListColumns::header() const {
    std::vector<std::string> header = {"MODEL", "VERSION", "CREATED", "TRIGGER", "SIZE"};
    if (steps) {
        header.insert(header.begin() + 2, "STEP");
    }
    for (std::string title : metrics) {
        std::transform(title.begin(), title.end(), title.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        header.push_back(title);
    }
    header.insert(header.end(), {"TAGS", "REASON"});
    if (notes) {
        header.push_back("NOTE");
    }
    return header;
}

std::vector<std::string> ListColumns::row(const json& v) const {
    // Flags are not tags, but they belong in the same glance: a version to be wary of.
    json marks = v["tags"];
    if (v.value("incomplete", false)) {
        marks.push_back("INCOMPLETE");
    }
    if (v.value("metrics_missing", false)) {
        marks.push_back("NO-METRICS");
    }
    std::vector<std::string> row = {v["model"].get<std::string>(), v["version"].get<std::string>(),
                                    local_time(v["created"].get<std::string>()),
                                    v["trigger"].get<std::string>(),
                                    format_bytes(v["size"].get<unsigned long long>())};
    if (steps) {
        const json step = checkpoint_step(v);
        row.insert(row.begin() + 2, step.is_number() ? step.dump() : "-");
    }
    for (const auto& metric : metrics) {
        row.push_back(cell_text(v.value("named_metrics", json::object()).value(metric, json())));
    }
    row.insert(row.end(), {join_strings(marks), v["reason"].get<std::string>()});
    if (notes) {
        row.push_back(newest_note(v));
    }
    return row;
}

std::string list_text(const json& result, bool filtered) {
    const json& versions = result["versions"];
    if (versions.empty()) {
        return filtered ? "no version matches these filters\n"
                        : "no versions yet: drop a model file into a watched folder, or run "
                          "`modelvaultctl backup MODEL`\n";
    }
    const auto columns = ListColumns::of(result);
    Table table(columns.header());
    for (const auto& v : versions) {
        table.add(columns.row(v));
    }
    return table.render();
}

std::string show_text(const json& result, SystemTime now) {
    std::string out = show_fields(result, now) + "\n" + show_files(result["manifest"]);
    const json& m = result["manifest"];
    for (const char* section : {"params", "metrics", "compat"}) {
        if (m.contains(section) && !m[section].empty()) {
            out += fmt::format("\n{}\n{}\n", section, m[section].dump(2));
        }
    }
    return out;
}

std::string show_fields(const json& result, SystemTime now) {
    const json& m = result["manifest"];
    std::string out;
    const auto field = [&](const char* name, const std::string& value) {
        out += fmt::format("{:<9} {}\n", name, value);
    };
    field("model", m["model"].get<std::string>());
    field("version",
          fmt::format("{} (sequence {}, {}{})", m["version"].get<std::string>(),
                      m["sequence"].get<long>(), m["bump"].get<std::string>(),
                      m["parent"].is_null() ? std::string()
                                            : ", parent " + m["parent"].get<std::string>()));
    field("created", fmt::format("{} ({})", local_time(m["created"].get<std::string>()),
                                 relative_time(*parse_time(m["created"].get<std::string>()), now)));
    field("trigger",
          m["trigger"].get<std::string>() + (m["reason"].get<std::string>().empty()
                                                 ? ""
                                                 : " — " + m["reason"].get<std::string>()));
    field("host", m["host"].get<std::string>());
    if (!m["tags"].empty()) {
        field("tags", join_strings(m["tags"]));
    }
    if (!m["note"].get<std::string>().empty()) {
        field("note", m["note"].get<std::string>());
    }
    for (const auto& n : m.value("notes", json::array())) {
        field("note",
              fmt::format("{} ({}, {}{})", n["text"].get<std::string>(),
                          n["user"].get<std::string>(), local_time(n["time"].get<std::string>()),
                          n["tags"].empty() ? "" : "; " + join_strings(n["tags"])));
    }
    if (m["incomplete"].get<bool>()) {
        field("warning", "the model failed its format's completeness check when it was backed up");
    }
    if (m.value("metrics_missing", false)) {
        field("warning", "the metrics its triggers need never came: it is never best");
    }
    if (const json& c = m.value("checkpoint", json()); c.is_object()) {
        std::string text = c["name"].get<std::string>();
        for (const char* count : {"step", "epoch"}) {
            if (c[count].is_number()) {
                text += fmt::format(", {} {}", count, c[count].dump());
            }
        }
        field("checkpoint", text);
    }
    const json& s = m["storage"];
    std::uint64_t chunks = 0;
    for (const auto& f : m["files"]) {
        chunks += f.value("chunk_count", 0ull);
    }
    field("stored", fmt::format("{} chunks, {} of them new ({}); {} level {}{}", chunks,
                                s["new_chunks"].get<unsigned long long>(),
                                format_bytes(s["new_bytes"].get<unsigned long long>()),
                                s["codec"].get<std::string>(), s["level"].get<int>(),
                                s["byte_grouping"].get<bool>() ? ", floats byte-grouped" : ""));
    field("manifest", result["manifest_file"].get<std::string>());
    return out;
}

std::string show_files(const json& m) {
    Table files({"ROLE", "SIZE", "FORMAT", "SHA-256", "PATH"});
    for (const auto& f : m["files"]) {
        std::string format = f["format"].get<std::string>();
        if (f["format_mismatch"].get<bool>()) {
            format += " (unexpected)";
        }
        files.add({f["role"].get<std::string>(), format_bytes(f["size"].get<unsigned long long>()),
                   format, f["sha256"].get<std::string>().substr(0, 16),
                   f["path"].get<std::string>()});
    }
    return files.render();
}

} // namespace mv::ctl
