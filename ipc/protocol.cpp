#include "ipc/protocol.hpp"

#include <set>
#include <vector>

#include <fmt/format.h>

#include "util/json_depth.hpp"

namespace mv::ipc {

using nlohmann::json;

namespace {

// Follows the parser through objects and remembers the first key that appears twice in
// one object: nlohmann keeps the last value silently, so {"command":"list",
// "command":"prune"} would run prune behind a log line that reads "list".
class DuplicateKeyFinder {
public:
    explicit DuplicateKeyFinder(std::string& duplicate) : m_duplicate(duplicate) {}

    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            m_keys.emplace_back();
            break;
        case json::parse_event_t::object_end:
            m_keys.pop_back();
            break;
        case json::parse_event_t::key:
            if (!m_keys.back().insert(parsed.get<std::string>()).second && m_duplicate.empty()) {
                m_duplicate = parsed.get<std::string>();
            }
            break;
        default:
            break;
        }
        return true;
    }

private:
    std::string& m_duplicate;
    std::vector<std::set<std::string>> m_keys; // the keys seen in each open object
};

} // namespace

tl::expected<Request, BadRequest> parse_request(std::string_view line) {
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    if (line.size() > k_max_request_bytes) {
        return tl::unexpected(
            BadRequest{nullptr, ErrorCode::invalid_argument,
                       fmt::format("request of {} bytes is larger than the {} byte limit",
                                   line.size(), k_max_request_bytes)});
    }
    if (auto shallow = check_json_depth(line, "the request", k_max_request_depth); !shallow) {
        return tl::unexpected(BadRequest{nullptr, ErrorCode::invalid_argument, shallow.error()});
    }
    std::string duplicate;
    json parsed = json::parse(line, DuplicateKeyFinder(duplicate), false);
    if (parsed.is_discarded()) {
        return tl::unexpected(BadRequest{nullptr, ErrorCode::invalid_argument,
                                         "request is not valid JSON: send one JSON object per "
                                         "line, e.g. {\"id\":1,\"command\":\"status\"}"});
    }
    if (!parsed.is_object()) {
        return tl::unexpected(BadRequest{nullptr, ErrorCode::invalid_argument,
                                         "request must be a JSON object with a \"command\""});
    }
    if (!duplicate.empty()) {
        return tl::unexpected(BadRequest{
            nullptr, ErrorCode::invalid_argument,
            fmt::format("the request has the key \"{}\" twice in one object; send each key once",
                        duplicate)});
    }
    Request request;
    if (auto it = parsed.find("id"); it != parsed.end()) {
        if (!it->is_null() && !it->is_string() && !it->is_number()) {
            return tl::unexpected(BadRequest{nullptr, ErrorCode::invalid_argument,
                                             "\"id\" must be a string or a number"});
        }
        request.id = *it;
    }
    const auto command = parsed.find("command");
    if (command == parsed.end() || !command->is_string() || command->get<std::string>().empty()) {
        return tl::unexpected(BadRequest{request.id, ErrorCode::invalid_argument,
                                         "request has no \"command\" string"});
    }
    request.command = command->get<std::string>();
    if (auto args = parsed.find("args"); args != parsed.end() && !args->is_null()) {
        if (!args->is_object()) {
            return tl::unexpected(BadRequest{request.id, ErrorCode::invalid_argument,
                                             "\"args\" must be a JSON object"});
        }
        request.args = *args;
    }
    for (const auto& [key, value] : parsed.items()) {
        if (key != "id" && key != "command" && key != "args") {
            return tl::unexpected(BadRequest{
                request.id, ErrorCode::invalid_argument,
                fmt::format("unknown request field \"{}\": a request has id, command and args",
                            key)});
        }
    }
    return request;
}

tl::expected<json, std::string> parse_untrusted_object(std::string_view text,
                                                       std::string_view what) {
    if (auto shallow = check_json_depth(text, what, k_max_request_depth); !shallow) {
        return tl::unexpected(shallow.error());
    }
    std::string duplicate;
    json parsed = json::parse(text, DuplicateKeyFinder(duplicate), false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        return tl::unexpected(fmt::format("{} is not a JSON object", what));
    }
    if (!duplicate.empty()) {
        return tl::unexpected(fmt::format("{} has the key \"{}\" twice in one object; send each "
                                          "key once",
                                          what, duplicate));
    }
    return parsed;
}

json success_response(const json& id, json result) {
    return {{"id", id}, {"ok", true}, {"result", std::move(result)}};
}

json error_response(const json& id, ErrorCode code, std::string_view message) {
    return {{"id", id},
            {"ok", false},
            {"error", {{"code", std::string(to_string(code))}, {"message", std::string(message)}}}};
}

json progress_line(const json& id, json progress) {
    return {{"id", id}, {"progress", std::move(progress)}};
}

std::string serialize(const json& message) {
    return message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

ErrorCode parse_error_code(std::string_view text) {
    for (ErrorCode code : {ErrorCode::invalid_argument, ErrorCode::not_found, ErrorCode::conflict,
                           ErrorCode::forbidden, ErrorCode::io, ErrorCode::corrupt,
                           ErrorCode::unavailable, ErrorCode::cancelled, ErrorCode::internal}) {
        if (to_string(code) == text) {
            return code;
        }
    }
    return ErrorCode::internal;
}

} // namespace mv::ipc
