// modelvaultctl list / show
#include <algorithm>
#include <cctype>
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"
#include "util/escape.hpp"
#include "util/time.hpp"

namespace mv::ctl {

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

// A non-negative count such as --limit 5.
unsigned long long count_argument(const char* command, const char* key, const std::string& text) {
    const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    try {
        if (digits) {
            return std::stoull(text);
        }
    } catch (const std::exception&) {
    }
    throw UsageError(
        fmt::format("{}: --{} needs a non-negative whole number, got \"{}\"", command, key, text));
}

} // namespace

int run_list(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 1,
                      "list [MODEL|WATCH] [--tag T] [--since TIME] [--until TIME] [--where "
                      "'FIELD OP X'] [--sort FIELD] [--compatible-with FILE] [--offset N] "
                      "[--limit N] [--replica NAME]");
    if (const auto replica = args.value("replica")) {
        return list_replica(global, args, *replica);
    }
    json request = json::object();
    if (!args.positional().empty()) {
        request["model"] = model_argument(args.positional()[0]);
    }
    for (const char* key : {"tag", "since", "until"}) {
        if (auto value = args.value(key)) {
            request[key] = *value;
        }
    }
    if (const auto where = args.values("where"); !where.empty()) {
        request["where"] = where;
    }
    if (auto sort = args.value("sort")) {
        request["sort"] = *sort;
    }
    if (const auto file = args.value("compatible-with")) {
        request["compatible_with"] = run_compat_argument(*file);
    }
    for (const char* key : {"offset", "limit"}) {
        if (auto count = args.value(key)) {
            request[key] = count_argument("list", key, *count);
        }
    }
    const auto reply = call_daemon(global, "list", request);
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& versions = reply.message["result"]["versions"];
    if (global.json) {
        print_json(reply.message["result"]);
        return k_exit_ok;
    }
    for (const auto& warning : reply.message["result"].value("warnings", json::array())) {
        std::fprintf(stderr, "warning: %s\n", warning.get<std::string>().c_str());
    }
    const bool filtered = request.contains("tag") || request.contains("since") ||
                          request.contains("until") || request.contains("where") ||
                          request.contains("offset") || request.contains("compatible_with");
    if (versions.empty() && filtered) {
        std::puts("no version matches these filters");
        return k_exit_ok;
    }
    if (versions.empty()) {
        std::puts("no versions yet: drop a model file into a watched folder, or run "
                  "`modelvaultctl backup MODEL`");
        return k_exit_ok;
    }
    // Checkpoint series have steps: a column for them when any version has one.
    const bool steps = std::any_of(versions.begin(), versions.end(), [](const json& v) {
        return v.contains("checkpoint") && v["checkpoint"].is_object() &&
               v["checkpoint"]["step"].is_number();
    });
    // The metrics named by --where and --sort are columns, after SIZE.
    const json columns = reply.message["result"].value("metric_columns", json::array());
    std::vector<std::string> header = {"MODEL", "VERSION", "CREATED", "TRIGGER", "SIZE"};
    if (steps) {
        header.insert(header.begin() + 2, "STEP");
    }
    for (const auto& metric : columns) {
        std::string title = metric.get<std::string>();
        std::transform(title.begin(), title.end(), title.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        header.push_back(title);
    }
    header.insert(header.end(), {"TAGS", "REASON"});
    // Notes are a column when any version has one.
    const bool notes = std::any_of(versions.begin(), versions.end(),
                                   [](const json& v) { return !newest_note(v).empty(); });
    if (notes) {
        header.push_back("NOTE");
    }
    Table table(header);
    for (const auto& v : versions) {
        // Flags are not tags, but they belong in the same glance: a version to be wary of.
        json marks = v["tags"];
        if (v.value("incomplete", false)) {
            marks.push_back("INCOMPLETE");
        }
        if (v.value("metrics_missing", false)) {
            marks.push_back("NO-METRICS");
        }
        std::vector<std::string> row = {
            v["model"].get<std::string>(), v["version"].get<std::string>(),
            local_time(v["created"].get<std::string>()), v["trigger"].get<std::string>(),
            format_bytes(v["size"].get<unsigned long long>())};
        if (steps) {
            const json step = v.contains("checkpoint") && v["checkpoint"].is_object()
                                  ? v["checkpoint"]["step"]
                                  : json();
            row.insert(row.begin() + 2, step.is_number() ? step.dump() : "-");
        }
        for (const auto& metric : columns) {
            const json value =
                v.value("named_metrics", json::object()).value(metric.get<std::string>(), json());
            row.push_back(cell_text(value));
        }
        row.insert(row.end(), {join_strings(marks), v["reason"].get<std::string>()});
        if (notes) {
            row.push_back(newest_note(v));
        }
        table.add(row);
    }
    std::fputs(table.render().c_str(), stdout);
    return k_exit_ok;
}

int run_show(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1, "show MODEL[@SEL]");
    const auto reply =
        call_daemon(global, "show", {{"target", model_argument(args.positional()[0])}});
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& m = reply.message["result"]["manifest"];
    if (global.json) {
        print_json(m);
        return k_exit_ok;
    }
    const auto now = system_clock().now();
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
    field("manifest", reply.message["result"]["manifest_file"].get<std::string>());
    out += "\n";
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
    out += files.render();
    for (const char* section : {"params", "metrics", "compat"}) {
        if (m.contains(section) && !m[section].empty()) {
            out += fmt::format("\n{}\n{}\n", section, m[section].dump(2));
        }
    }
    std::fputs(out.c_str(), stdout);
    return k_exit_ok;
}

} // namespace mv::ctl

namespace mv::ctl {

int run_history(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1, "history MODEL");
    return call_and_render(
        global, "history", {{"model", model_argument(args.positional()[0])}}, [&](const json& r) {
            const auto text = [](const json& v) {
                return v.is_null() ? std::string("-") : v.get<std::string>();
            };
            std::printf("%s: best %s, current %s\n", r["model"].get<std::string>().c_str(),
                        text(r["best"]).c_str(), text(r["current"]).c_str());
            if (r["history"].empty()) {
                std::puts("no moves recorded yet");
                return k_exit_ok;
            }
            Table table({"TIME", "POINTER", "FROM", "TO", "BY", "REASON"});
            for (const auto& h : r["history"]) {
                const long long uid = h["uid"].get<long long>();
                table.add({local_time(h["time"].get<std::string>()),
                           h["pointer"].get<std::string>(), text(h["from"]), text(h["to"]),
                           uid < 0 ? "modelvaultd" : "uid " + std::to_string(uid),
                           h["reason"].get<std::string>()});
            }
            std::fputs(table.render().c_str(), stdout);
            return k_exit_ok;
        });
}

} // namespace mv::ctl
