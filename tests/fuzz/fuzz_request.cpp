// libFuzzer harness: the control protocol's request lines (ipc/protocol.hpp). The input is
// a byte stream as a client would send it: it is cut into lines the way the daemon's
// session does (at '\n', at most k_max_request_bytes each) and every line is parsed. A
// request that parses is answered and the answer must be one valid JSON line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ipc/protocol.hpp"

namespace {

void check_line(const std::string& line) {
    if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1 ||
        nlohmann::json::parse(line, nullptr, false).is_discarded()) {
        std::abort(); // an answer must be exactly one JSON line
    }
}

void answer(std::string_view line) {
    auto request = mv::ipc::parse_request(line);
    if (!request) {
        check_line(mv::ipc::serialize(mv::ipc::error_response(
            request.error().id, request.error().code, request.error().message)));
        return;
    }
    check_line(mv::ipc::serialize(mv::ipc::success_response(request->id, request->args)));
    check_line(mv::ipc::serialize(mv::ipc::progress_line(request->id, request->command)));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    while (!stream.empty()) {
        const std::size_t newline = stream.find('\n');
        const std::string_view line = stream.substr(0, newline);
        if (line.size() > mv::ipc::k_max_request_bytes) {
            return 0; // the daemon answers once and hangs up
        }
        if (!line.empty() && line != "\r") {
            answer(line);
        }
        if (newline == std::string_view::npos) {
            break; // an unfinished line waits for more bytes; at EOF it is dropped
        }
        stream.remove_prefix(newline + 1);
    }
    return 0;
}
