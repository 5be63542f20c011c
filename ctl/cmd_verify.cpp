// modelvaultctl verify [MODEL[@SEL]] [--all] [--read-data]; with --signatures see
// cmd_verify_signatures.cpp.
#include <cstdio>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"

namespace mv::ctl {

namespace {

// Failure when a version or a pack is damaged.
int verify_exit_code(const json& r) {
    const bool packs_damaged = r.contains("packs") && !r["packs"]["problems"].empty();
    return r["failed"].get<std::size_t>() == 0 && !packs_damaged ? k_exit_ok : k_exit_failure;
}

int print_verify(const json& r) {
    for (const auto& v : r["results"]) {
        const std::string name =
            v["model"].get<std::string>() + " " + v["version"].get<std::string>();
        if (v["ok"].get<bool>()) {
            std::printf("ok       %s\n", name.c_str());
            continue;
        }
        std::printf("CORRUPT  %s (manifest %s)\n", name.c_str(),
                    v["manifest"].get<std::string>().c_str());
        for (const auto& problem : v["problems"]) {
            std::printf("         %s\n", problem.get<std::string>().c_str());
        }
    }
    if (r.contains("packs")) {
        for (const auto& problem : r["packs"]["problems"]) {
            std::printf("CORRUPT  %s\n", problem.get<std::string>().c_str());
        }
        std::printf("%zu pack%s read in full, %zu problem%s\n",
                    r["packs"]["checked"].get<std::size_t>(),
                    r["packs"]["checked"].get<std::size_t>() == 1 ? "" : "s",
                    r["packs"]["problems"].size(), r["packs"]["problems"].size() == 1 ? "" : "s");
    }
    const auto failed = r["failed"].get<std::size_t>();
    std::printf("%zu version%s verified%s, %zu corrupt\n", r["checked"].get<std::size_t>(),
                r["checked"].get<std::size_t>() == 1 ? "" : "s",
                r.value("read_data", false) ? " (every byte read)" : "", failed);
    return verify_exit_code(r);
}

} // namespace

int run_verify(const GlobalOptions& global, const ParsedArgs& args) {
    if (args.has("signatures")) {
        return run_verify_signatures(global, args);
    }
    expect_positional(args, 0, 1, "verify [MODEL[@SEL]] [--all] [--read-data] [--replica NAME]");
    const bool all = args.has("all");
    if (all == !args.positional().empty()) {
        throw UsageError("verify: name a model (MODEL for all its versions, MODEL@SEL for one), "
                         "or use --all");
    }
    if (const auto replica = args.value("replica")) {
        return verify_replica(global, args, *replica);
    }
    json request = {{"all", all}, {"read_data", args.has("read-data")}};
    if (!all) {
        request["target"] = model_argument(args.positional()[0]);
    }
    const Call call{"verify", request, [](const json& p) {
                        return ProgressStep{fmt::format("{} {} ({}/{})", p.value("model", ""),
                                                        p.value("version", ""), p.value("index", 0),
                                                        p.value("count", 0)),
                                            p.value("bytes", 0ull), p.value("total", 0ull)};
                    }};
    return call_and_render(global, call, Rendering{print_verify, {}, verify_exit_code});
}

} // namespace mv::ctl
