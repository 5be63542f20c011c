#pragma once
// Talking to the daemon from a command: one request, its progress, its final answer,
// and the uniform handling of errors and --json output.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ctl/app.hpp"
#include "ipc/client.hpp"
#include "util/error.hpp"

namespace mv::ctl {

using nlohmann::json;

/// Sends `command` and returns the final reply. Throws ipc::UnreachableError (main turns
/// it into exit 3 with advice) and Error.
ipc::Reply call_daemon(const GlobalOptions& global, const std::string& command, const json& args);

/// Prints an error reply (stderr, or stdout as JSON with --json) and returns its exit
/// code: 2 for invalid_argument, 1 otherwise.
int report_error(const GlobalOptions& global, const json& reply);
/// The same for an Error raised here, in the client (e.g. while extracting).
int report_error(const GlobalOptions& global, const Error& error);

/// Prints `value` as indented JSON on stdout.
void print_json(const json& value);

/// Prints a successful result for humans; returns the exit code.
using Renderer = std::function<int(const json& result)>;

/// How a command shows a successful result. For humans `render` prints it and returns the
/// exit code; with --json the result is printed (or `json_view` of it, when the JSON output
/// is not the result as sent) and the exit code is `json_exit_code` of it (0 when unset; a
/// result that lists failures, such as a backup's, sets it).
struct Rendering {
    Renderer render;
    std::function<json(const json& result)> json_view = {};
    std::function<int(const json& result)> json_exit_code = {};
};

/// The exit code of a result made of rows with a "status" (backup, import): failure when
/// any row's status is "failed".
int exit_code_of_rows(const json& rows);

/// A progress line as the progress bar shows it: what, bytes done, bytes in all (0: unknown).
struct ProgressStep {
    std::string label;
    std::uint64_t done = 0;
    std::uint64_t total = 0;
};

/// One request to the daemon: the command, its arguments, how its progress lines show on
/// the progress bar (none when unset), and the descriptors passed with it (SCM_RIGHTS;
/// at most ipc::k_max_request_fds).
struct Call {
    std::string command;
    json args = json::object();
    std::function<ProgressStep(const json& progress)> progress = {};
    std::vector<int> fds = {};
};

/// Sends `call` and returns the final reply; its progress lines draw a progress bar on
/// stderr when it is a terminal and output is for humans. Throws as call_daemon above.
ipc::Reply call_daemon(const GlobalOptions& global, const Call& call);

/// The call-and-report path of a command, written once: sends `call`, reports a failure
/// (its exit code), or presents the result as `rendering` says.
int call_and_render(const GlobalOptions& global, const Call& call, const Rendering& rendering);
/// The same for a request without progress lines whose result --json prints as it came.
int call_and_render(const GlobalOptions& global, const std::string& command, const json& args,
                    const Renderer& render);

/// The success half of call_and_render, for a result gathered from several calls: prints
/// it as JSON with --json, or hands it to `rendering.render`; returns the exit code.
int present(const GlobalOptions& global, const json& result, const Rendering& rendering);

/// A model argument in the protocol's text form: raw control characters and invalid
/// UTF-8 typed on the command line become \xNN; a backslash keeps its escape meaning.
std::string model_argument(const std::string& raw);

/// The "compatible_with" argument of restore and list: {"name": FILE, "document": its
/// JSON}, read here with the caller's rights. Throws UsageError when FILE cannot be read
/// or is not JSON (at most 512 KiB: requests are limited to 1 MiB).
json run_compat_argument(const std::string& file);

/// Local time "2026-11-22 10:16:30" of a protocol timestamp.
std::string local_time(const std::string& utc);

} // namespace mv::ctl
