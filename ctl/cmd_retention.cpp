// modelvaultctl prune [MODEL] [--dry-run] / tag MODEL@SEL add|rm TAG
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/output.hpp"
#include "ctl/progress.hpp"
#include "ipc/protocol.hpp"
#include "util/escape.hpp"
#include "util/fd.hpp"
#include "util/time.hpp"

namespace mv::ctl {

namespace {

// Failure when retention could not finish for any model.
int prune_exit_code(const json& r) {
    for (const auto& m : r["models"]) {
        if (!m.value("errors", json::array()).empty()) {
            return k_exit_failure;
        }
    }
    return k_exit_ok;
}

// The table of one model's versions and verdicts, indented under its summary line.
std::string verdict_table(const json& m, bool dry_run) {
    Table table({"VERSION", "CREATED", "ACTION", "REASONS"});
    for (const auto& v : m.value("versions", json::array())) {
        std::vector<std::string> reasons;
        for (const auto& reason : v["reasons"]) {
            reasons.push_back(reason.get<std::string>());
        }
        const bool keep = v["verdict"] == "keep";
        table.add({v["version"].get<std::string>(), local_time(v["created"].get<std::string>()),
                   keep ? "keep" : (dry_run ? "remove" : "removed"),
                   fmt::format("{}", fmt::join(reasons, ", "))});
    }
    if (table.empty()) {
        return "";
    }
    const std::string rendered = table.render();
    std::string indented;
    std::size_t start = 0;
    while (start < rendered.size()) {
        const std::size_t end = rendered.find('\n', start);
        indented += "  " + rendered.substr(start, end - start + 1);
        start = end + 1;
    }
    return indented;
}

int print_prune(const json& r, bool dry_run) {
    for (const auto& m : r["models"]) {
        const auto removed = m.value("removed", 0ull);
        std::printf(
            "%s: %s — keeps %llu, %s %llu%s\n", m["model"].get<std::string>().c_str(),
            m.value("policy", "?").c_str(), m.value("kept", 0ull),
            dry_run ? "would remove" : "removed", removed,
            removed == 0
                ? ""
                : fmt::format(" ({})", format_bytes(m.value("reclaimed_bytes", 0ull))).c_str());
        std::fputs(verdict_table(m, dry_run).c_str(), stdout);
        for (const auto& error : m.value("errors", json::array())) {
            std::fprintf(stderr, "  error: %s\n", error.get<std::string>().c_str());
        }
    }
    if (r["models"].empty()) {
        std::puts("the vault holds no versions");
    }
    return prune_exit_code(r);
}

} // namespace

int run_prune(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 1, "prune [MODEL] [--dry-run]");
    const bool dry_run = args.has("dry-run");
    json request = {{"dry_run", dry_run}};
    if (!args.positional().empty()) {
        request["model"] = model_argument(args.positional()[0]);
    }
    return call_and_render(
        global, Call{"prune", request},
        Rendering{[&](const json& r) { return print_prune(r, dry_run); }, {}, prune_exit_code});
}

int run_tag(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 3, 3, "tag MODEL@SEL add|rm TAG");
    const auto& p = args.positional();
    if (p[1] != "add" && p[1] != "rm") {
        throw UsageError(fmt::format("tag: say add or rm, not \"{}\"", p[1]));
    }
    const json request = {{"target", model_argument(p[0])}, {"action", p[1]}, {"tag", p[2]}};
    return call_and_render(global, "tag", request, [](const json& r) {
        std::vector<std::string> tags;
        for (const auto& t : r["tags"]) {
            tags.push_back(t.get<std::string>());
        }
        std::printf("%s %s: tags %s\n", r["model"].get<std::string>().c_str(),
                    r["version"].get<std::string>().c_str(),
                    tags.empty() ? "(none)" : fmt::format("{}", fmt::join(tags, ", ")).c_str());
        return k_exit_ok;
    });
}

} // namespace mv::ctl
