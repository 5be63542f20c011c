// modelvaultctl list / show
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"
#include "ctl/version_view.hpp"
#include "util/escape.hpp"
#include "util/time.hpp"

namespace mv::ctl {

namespace {

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
    const bool filtered = request.contains("tag") || request.contains("since") ||
                          request.contains("until") || request.contains("where") ||
                          request.contains("offset") || request.contains("compatible_with");
    return call_and_render(global, "list", request, [&](const json& result) {
        for (const auto& warning : result.value("warnings", json::array())) {
            std::fprintf(stderr, "warning: %s\n", warning.get<std::string>().c_str());
        }
        std::fputs(list_text(result, filtered).c_str(), stdout);
        return k_exit_ok;
    });
}

int run_show(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 1, 1, "show MODEL[@SEL]");
    const Rendering rendering{[](const json& result) {
                                  std::fputs(show_text(result, system_clock().now()).c_str(),
                                             stdout);
                                  return k_exit_ok;
                              },
                              // --json prints the manifest alone.
                              [](const json& result) { return result["manifest"]; }};
    return call_and_render(global, Call{"show", {{"target", model_argument(args.positional()[0])}}},
                           rendering);
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
