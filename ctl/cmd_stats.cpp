// modelvaultctl stats
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"

namespace mv::ctl {

namespace {

std::string stat_number(const json& value) {
    return fmt::format("{:.6g}", value.get<double>());
}

std::string stat_bytes(const json& value) {
    return format_bytes(value.get<unsigned long long>());
}

// One row per metric of one summary (all versions, a group or a period), after `lead`.
void add_metric_rows(Table& table, std::vector<std::string> lead, const json& summary) {
    for (const auto& [metric, s] : summary["metrics"].items()) {
        std::vector<std::string> row = lead;
        row.insert(row.end(),
                   {metric, std::to_string(s["count"].get<std::size_t>()), stat_number(s["min"]),
                    stat_number(s["mean"]), stat_number(s["max"]),
                    stat_number(s["best"]) + " (" + s["best_is"].get<std::string>() + ")",
                    s["best_version"].get<std::string>()});
        table.add(row);
    }
    if (summary["metrics"].empty() && !lead.empty()) {
        lead.insert(lead.end(), {"-", "0", "-", "-", "-", "-", "-"});
        table.add(lead);
    }
}

void print_grouped(const json& list, const char* title, const char* key) {
    Table table({title, "VERSIONS", "LOGICAL", "STORED", "METRIC", "COUNT", "MIN", "MEAN", "MAX",
                 "BEST", "BEST VERSION"});
    for (const auto& g : list) {
        add_metric_rows(table,
                        {g[key].get<std::string>(),
                         std::to_string(g["versions"].get<std::size_t>()),
                         stat_bytes(g["logical_bytes"]), stat_bytes(g["stored_bytes"])},
                        g);
    }
    std::printf("\n");
    std::fputs(table.render().c_str(), stdout);
}

} // namespace

int run_stats(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 1, "stats [WATCH|MODEL] [--by FIELD] [--over day|week]");
    json request = json::object();
    if (!args.positional().empty()) {
        request["scope"] = model_argument(args.positional()[0]);
    }
    for (const char* key : {"by", "over"}) {
        if (auto value = args.value(key)) {
            request[key] = *value;
        }
    }
    return call_and_render(global, "stats", request, [&](const json& r) {
        std::printf("%zu versions of %zu models: %s logical, %s stored, %s saved by deduplication "
                    "and compression\n",
                    r["versions"].get<std::size_t>(), r["models"].get<std::size_t>(),
                    stat_bytes(r["logical_bytes"]).c_str(), stat_bytes(r["stored_bytes"]).c_str(),
                    stat_bytes(r["saved_bytes"]).c_str());
        std::string triggers;
        for (const auto& [trigger, count] : r["by_trigger"].items()) {
            triggers += fmt::format("{}{} {}", triggers.empty() ? "" : ", ", trigger, count.dump());
        }
        std::printf("versions per trigger: %s\n", triggers.empty() ? "-" : triggers.c_str());
        print_grouped(r["per_model"], "MODEL", "model");
        if (!r["metrics"].empty()) {
            Table all({"METRIC", "COUNT", "MIN", "MEAN", "MAX", "BEST", "BEST VERSION"});
            add_metric_rows(all, {}, r);
            std::printf("\n");
            std::fputs(all.render().c_str(), stdout);
        }
        if (r.contains("groups")) {
            print_grouped(r["groups"],
                          fmt::format("BY {}", request["by"].get<std::string>()).c_str(), "group");
        }
        if (r.contains("periods")) {
            print_grouped(r["periods"], request["over"] == "day" ? "DAY" : "WEEK OF", "start");
        }
        return k_exit_ok;
    });
}

} // namespace mv::ctl
