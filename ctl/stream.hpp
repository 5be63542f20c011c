#pragma once
// Getting a version's bytes from the daemon (docs/PROTOCOL.md, "restore"): modelvaultctl
// makes a pipe, passes its write end with the request, reads the tar stream from the read
// end — with the rights of the user who runs it — and then reads the daemon's answer,
// which says whether the stream was complete or what went wrong in the vault.

#include <exception>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "ctl/app.hpp"
#include "ipc/client.hpp"
#include "util/fd.hpp"

namespace mv::ctl {

/// Asks for `target` (MODEL@SEL) with `members` ("all" or "model"), and `extra_args`
/// (e.g. compatible_with), and passes the read
/// end of the stream to `consume`, which reads what it needs (closing early ends the
/// stream). Returns the daemon's answer; when both sides failed, the one to report is
/// the daemon's unless it only says the stream was cut short (see stream.cpp).
struct StreamOutcome {
    ipc::Reply reply;
    std::exception_ptr local_error; ///< what `consume` threw, if anything
    /// The failure to report: the daemon's (a json error reply) or the local one.
    bool daemon_failed_first() const;
};
StreamOutcome stream_version(const GlobalOptions& global, const std::string& target,
                             const std::string& members,
                             const std::function<void(UniqueFd stream)>& consume,
                             const nlohmann::json& extra_args = nlohmann::json::object());

/// Reports the outcome's failure (as report_error does) and returns the exit code, or
/// returns -1 when both sides succeeded.
int report_stream_failure(const GlobalOptions& global, const StreamOutcome& outcome);

} // namespace mv::ctl
