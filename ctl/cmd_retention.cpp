// modelvaultctl prune [MODEL] [--dry-run] / tag MODEL@SEL add|rm TAG / import FILE… --model M
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

int run_prune(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 0, 1, "prune [MODEL] [--dry-run]");
    const bool dry_run = args.has("dry-run");
    json request = {{"dry_run", dry_run}};
    if (!args.positional().empty()) {
        request["model"] = model_argument(args.positional()[0]);
    }
    const auto reply = call_daemon(global, "prune", request);
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& r = reply.message["result"];
    if (global.json) {
        print_json(r);
    }
    int exit_code = k_exit_ok;
    for (const auto& m : r["models"]) {
        if (!m.value("errors", json::array()).empty()) {
            exit_code = k_exit_failure;
        }
        if (global.json) {
            continue;
        }
        const auto removed = m.value("removed", 0ull);
        std::printf(
            "%s: %s — keeps %llu, %s %llu%s\n", m["model"].get<std::string>().c_str(),
            m.value("policy", "?").c_str(), m.value("kept", 0ull),
            dry_run ? "would remove" : "removed", removed,
            removed == 0
                ? ""
                : fmt::format(" ({})", format_bytes(m.value("reclaimed_bytes", 0ull))).c_str());
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
        if (!table.empty()) {
            std::string rendered = table.render();
            std::string indented;
            std::size_t start = 0;
            while (start < rendered.size()) {
                const std::size_t end = rendered.find('\n', start);
                indented += "  " + rendered.substr(start, end - start + 1);
                start = end + 1;
            }
            std::fputs(indented.c_str(), stdout);
        }
        for (const auto& error : m.value("errors", json::array())) {
            std::fprintf(stderr, "  error: %s\n", error.get<std::string>().c_str());
        }
    }
    if (!global.json && r["models"].empty()) {
        std::puts("the vault holds no versions");
    }
    return exit_code;
}

int run_tag(const GlobalOptions& global, const ParsedArgs& args) {
    expect_positional(args, 3, 3, "tag MODEL@SEL add|rm TAG");
    const auto& p = args.positional();
    if (p[1] != "add" && p[1] != "rm") {
        throw UsageError(fmt::format("tag: say add or rm, not \"{}\"", p[1]));
    }
    const auto reply = call_daemon(
        global, "tag", {{"target", model_argument(p[0])}, {"action", p[1]}, {"tag", p[2]}});
    if (!reply.ok()) {
        return report_error(global, reply.message);
    }
    const json& r = reply.message["result"];
    if (global.json) {
        print_json(r);
        return k_exit_ok;
    }
    std::vector<std::string> tags;
    for (const auto& t : r["tags"]) {
        tags.push_back(t.get<std::string>());
    }
    std::printf("%s %s: tags %s\n", r["model"].get<std::string>().c_str(),
                r["version"].get<std::string>().c_str(),
                tags.empty() ? "(none)" : fmt::format("{}", fmt::join(tags, ", ")).c_str());
    return k_exit_ok;
}

int run_import(const GlobalOptions& global, const ParsedArgs& args) {
    if (args.positional().empty()) {
        throw UsageError(
            "usage: modelvaultctl import FILE... --model MODEL [--time T] [--version X]");
    }
    const auto model = args.value("model");
    if (!model || model->empty()) {
        throw UsageError("import: say which model the files become versions of with --model "
                         "WATCH/PATH");
    }
    const auto time = args.value("time");
    const auto version = args.value("version");
    if ((time || version) && args.positional().size() > 1) {
        throw UsageError("import: --time and --version apply to a single FILE; import files one "
                         "at a time to give each its own");
    }
    if (time && !parse_time(*time)) {
        throw UsageError(parse_time(*time).error());
    }
    // The files are opened here, with the rights of whoever runs modelvaultctl; the daemon
    // reads them from the descriptors it is passed.
    std::vector<UniqueFd> files;
    json specs = json::array();
    for (const auto& name : args.positional()) {
        UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
        struct stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0) {
            throw Error(errno_message(fmt::format("cannot open {}", escape_name(name)), errno),
                        ErrorCode::not_found);
        }
        if (!S_ISREG(st.st_mode)) {
            throw Error(fmt::format("{} is not a regular file", escape_name(name)),
                        ErrorCode::invalid_argument);
        }
        json spec = {{"name", escape_name(name)}};
        if (time) {
            spec["time"] = *time;
        }
        if (version) {
            spec["version"] = *version;
        }
        specs.push_back(spec);
        files.push_back(std::move(fd));
    }
    ProgressBar bar(global.progress && !global.json && ProgressBar::stderr_is_terminal());
    json all = json::array();
    for (std::size_t start = 0; start < files.size(); start += ipc::k_max_request_fds) {
        const std::size_t end = std::min(files.size(), start + ipc::k_max_request_fds);
        std::vector<int> fds;
        json batch = json::array();
        for (std::size_t i = start; i < end; ++i) {
            fds.push_back(files[i].get());
            batch.push_back(specs[i]);
        }
        auto client = ipc::Client::connect(global.socket);
        const auto reply = client.call(
            "import", {{"model", model_argument(*model)}, {"files", batch}},
            [&](const json& p) { bar.update(p.value("file", ""), p.value("bytes", 0ull), 0); },
            std::nullopt, fds);
        bar.finish();
        if (!reply.ok()) {
            return report_error(global, reply.message);
        }
        for (const auto& row : reply.message["result"]["results"]) {
            all.push_back(row);
        }
    }
    if (global.json) {
        print_json({{"results", all}});
    }
    int exit_code = k_exit_ok;
    for (const auto& r : all) {
        const std::string status = r["status"].get<std::string>();
        if (status == "failed") {
            exit_code = k_exit_failure;
        }
        if (global.json) {
            continue;
        }
        if (status == "committed") {
            std::printf("%s → %s %s (%s)\n", r["file"].get<std::string>().c_str(),
                        r["model"].get<std::string>().c_str(),
                        r["version"].get<std::string>().c_str(),
                        local_time(r["summary"]["created"].get<std::string>()).c_str());
            if (r.contains("warning")) {
                std::fprintf(stderr, "warning: %s\n", r["warning"].get<std::string>().c_str());
            }
        } else if (status == "unchanged") {
            std::printf("%s: unchanged, same as %s %s\n", r["file"].get<std::string>().c_str(),
                        r["model"].get<std::string>().c_str(),
                        r["version"].get<std::string>().c_str());
        } else {
            std::fprintf(stderr, "%s: failed: %s\n", r["file"].get<std::string>().c_str(),
                         r.value("message", "").c_str());
        }
    }
    return exit_code;
}

} // namespace mv::ctl
