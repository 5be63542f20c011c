// modelvaultctl verify [MODEL[@SEL]] [--all]
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/progress.hpp"

namespace mv::ctl {

int run_verify(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 1, "verify [MODEL[@SEL]] [--all]");
    const bool all = args.has("all");
    if (all == !args.positional().empty()) {
        throw UsageError("verify: name a model (MODEL for all its versions, MODEL@SEL for one), "
                         "or use --all");
    }
    json request = {{"all", all}};
    if (!all) {
        request["target"] = model_argument(args.positional()[0]);
    }
    ProgressBar bar(global.progress && !global.json && ProgressBar::stderr_is_terminal());
    const auto reply = call_daemon(global, "verify", request, [&](const json& p) {
        bar.update(fmt::format("{} {} ({}/{})", p.value("model", ""), p.value("version", ""),
                               p.value("index", 0), p.value("count", 0)),
                   p.value("bytes", 0ull), p.value("total", 0ull));
    });
    bar.finish();
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& r = reply.message["result"];
    if (global.json) {
        print_json(r);
    } else {
        for (const auto& v : r["results"]) {
            const std::string name =
                v["model"].get<std::string>() + " " + v["version"].get<std::string>();
            if (v["ok"].get<bool>()) {
                std::printf("ok       %s\n", name.c_str());
                continue;
            }
            std::printf("CORRUPT  %s (%s)\n", name.c_str(),
                        v["archive"].get<std::string>().c_str());
            for (const auto& problem : v["problems"]) {
                std::printf("         %s\n", problem.get<std::string>().c_str());
            }
        }
        const auto failed = r["failed"].get<std::size_t>();
        std::printf("%zu version%s verified, %zu corrupt\n", r["checked"].get<std::size_t>(),
                    r["checked"].get<std::size_t>() == 1 ? "" : "s", failed);
    }
    return r["failed"].get<std::size_t>() == 0 ? k_exit_ok : k_exit_failure;
}

} // namespace mv::ctl
