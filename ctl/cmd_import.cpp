// modelvaultctl import FILE… --model MODEL [--time T | --time-from-name] [--version X]
//                                          [--new-model]
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "ctl/command_impl.hpp"
#include "ctl/name_time.hpp"
#include "ipc/protocol.hpp"
#include "scheduler/local_time.hpp"
#include "util/escape.hpp"
#include "util/fd.hpp"
#include "util/local_time.hpp"
#include "util/time.hpp"

namespace mv::ctl {

namespace {

constexpr const char* k_usage = "import FILE... --model MODEL [--time T | --time-from-name] "
                                "[--version X] [--new-model]";

// The UTC time of the local date and time written in `path`'s file name.
std::string time_from_name(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    reload_time_zone(); // the local time zone (TZ) as it is now
    const auto found = time_in_name(name);
    if (!found) {
        throw UsageError(fmt::format("import: {}: {}", escape_name(path), found.error()));
    }
    const SystemTime at = scheduler::resolve_local({found->year, found->month, found->day},
                                                   {found->hour, found->minute}) +
                          std::chrono::seconds(found->second);
    return format_utc(at);
}

// Opens every FILE (with the rights of whoever runs modelvaultctl: the daemon reads them
// from the descriptors it is passed) and describes each for the request.
void open_files(const ParsedArgs& args, std::vector<UniqueFd>& files, json& specs) {
    const auto time = args.value("time");
    const auto version = args.value("version");
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
        } else if (args.has("time-from-name")) {
            spec["time"] = time_from_name(name);
        }
        if (version) {
            spec["version"] = *version;
        }
        specs.push_back(spec);
        files.push_back(std::move(fd));
    }
}

// Each file's outcome for humans; failure when any file failed.
int print_results(const json& result) {
    for (const auto& r : result["results"]) {
        const std::string status = r["status"].get<std::string>();
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
    return exit_code_of_rows(result["results"]);
}

int results_exit_code(const json& result) {
    return exit_code_of_rows(result["results"]);
}

} // namespace

int run_import(const GlobalOptions& global, const ParsedArgs& args) {
    if (args.positional().empty()) {
        throw UsageError(fmt::format("usage: modelvaultctl {}", k_usage));
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
                         "at a time to give each its own, or read each time from its name with "
                         "--time-from-name");
    }
    if (time && args.has("time-from-name")) {
        throw UsageError("import: --time and --time-from-name exclude each other");
    }
    if (time && !parse_time(*time)) {
        throw UsageError(parse_time(*time).error());
    }
    std::vector<UniqueFd> files;
    json specs = json::array();
    open_files(args, files, specs);
    json all = json::array();
    // A request carries at most k_max_request_fds descriptors: the files go in batches.
    for (std::size_t start = 0; start < files.size(); start += ipc::k_max_request_fds) {
        const std::size_t end = std::min(files.size(), start + ipc::k_max_request_fds);
        Call call{"import",
                  {{"model", model_argument(*model)},
                   {"files", json::array()},
                   {"new_model", args.has("new-model")}},
                  [](const json& p) {
                      return ProgressStep{p.value("file", ""), p.value("bytes", 0ull), 0};
                  }};
        for (std::size_t i = start; i < end; ++i) {
            call.fds.push_back(files[i].get());
            call.args["files"].push_back(specs[i]);
        }
        const auto reply = call_daemon(global, call);
        if (!reply.ok()) {
            return report_error(global, reply.message);
        }
        for (const auto& row : reply.message["result"]["results"]) {
            all.push_back(row);
        }
    }
    return present(global, {{"results", all}}, Rendering{print_results, {}, results_exit_code});
}

} // namespace mv::ctl
