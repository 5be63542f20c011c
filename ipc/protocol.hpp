#pragma once
// The control protocol (docs/PROTOCOL.md): newline-delimited JSON over a Unix
// stream socket. A client sends one request per line; the daemon answers with zero or
// more progress lines and exactly one final response line, all carrying the request's
// `id`. Parsing is socket-free so it can be tested and fuzzed alone.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/expected.hpp"
#include "util/fd.hpp"

namespace mv::ipc {

/// Protocol revision, reported by the `version` command.
inline constexpr int k_protocol_version = 1;
/// Longest accepted request line, newline excluded.
inline constexpr std::size_t k_max_request_bytes = 1u << 20;
/// Deepest nesting of arrays and objects accepted in a request (the line is refused
/// before it is parsed; see util/json_depth.hpp).
inline constexpr std::size_t k_max_request_depth = 64;
/// Most descriptors a single recvmsg accepts with a request (import passes files this way).
inline constexpr std::size_t k_max_request_fds = 32;

struct Request {
    nlohmann::json id;   ///< echoed in every line of the answer; null when absent
    std::string command; ///< e.g. "status"
    nlohmann::json args = nlohmann::json::object(); ///< command arguments
    std::vector<UniqueFd> fds; ///< descriptors that arrived with the request (SCM_RIGHTS)
};

/// A request that could not be parsed: the error response to send (with the id when
/// one could be read).
struct BadRequest {
    nlohmann::json id;
    ErrorCode code;
    std::string message;
};

/// Parses one request line (without its newline). Refuses lines over
/// k_max_request_bytes, nesting deeper than k_max_request_depth, and a key given twice
/// in one object.
tl::expected<Request, BadRequest> parse_request(std::string_view line);

/// Parses `text` from an untrusted peer (an HTTP request's body) as one JSON object with
/// the same checks as a request line: nesting depth, a key given twice in one object.
/// The error is a sentence naming `what` ("the request body").
tl::expected<nlohmann::json, std::string> parse_untrusted_object(std::string_view text,
                                                                 std::string_view what);

/// {"id":…,"ok":true,"result":…}
nlohmann::json success_response(const nlohmann::json& id, nlohmann::json result);
/// {"id":…,"ok":false,"error":{"code":…,"message":…}}
nlohmann::json error_response(const nlohmann::json& id, ErrorCode code, std::string_view message);
/// {"id":…,"progress":…}
nlohmann::json progress_line(const nlohmann::json& id, nlohmann::json progress);

/// One compact line with its terminating newline; invalid UTF-8 is replaced, never thrown.
std::string serialize(const nlohmann::json& message);

/// Parses an ErrorCode's protocol spelling; unknown codes map to internal.
ErrorCode parse_error_code(std::string_view text);

} // namespace mv::ipc
