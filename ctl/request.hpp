#pragma once
// Talking to the daemon from a command: one request, its progress, its final answer,
// and the uniform handling of errors and --json output.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "ctl/app.hpp"
#include "ipc/client.hpp"
#include "util/error.hpp"

namespace mv::ctl {

using nlohmann::json;

/// Sends `command` and returns the final reply. Throws ipc::UnreachableError (main turns
/// it into exit 3 with advice) and Error.
ipc::Reply call_daemon(const GlobalOptions& global, const std::string& command, const json& args,
                       const ipc::ProgressCallback& on_progress = {});

/// Prints an error reply (stderr, or stdout as JSON with --json) and returns its exit
/// code: 2 for invalid_argument, 1 otherwise.
int report_error(const GlobalOptions& global, const json& reply);
/// The same for an Error raised here, in the client (e.g. while extracting).
int report_error(const GlobalOptions& global, const Error& error);

/// Prints `value` as indented JSON on stdout.
void print_json(const json& value);

/// Prints a successful result for humans; returns the exit code.
using Renderer = std::function<int(const json& result)>;

/// The call-and-report path of a command, written once: sends `command`, reports a
/// failure (its exit code), prints the result as JSON with --json, or hands it to `render`.
int call_and_render(const GlobalOptions& global, const std::string& command, const json& args,
                    const Renderer& render, const ipc::ProgressCallback& on_progress = {});

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
