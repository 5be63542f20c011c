#pragma once
// A small blocking client for the control socket, used by modelvaultctl and the tests.

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ipc/framer.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

namespace mv::ipc {

/// The daemon cannot be reached (no socket, nobody listening, connection lost).
class UnreachableError : public Error {
public:
    explicit UnreachableError(std::string message)
        : Error(std::move(message), ErrorCode::unavailable) {}
};

/// A final response: the JSON line, and the descriptor that came with it (if any).
struct Reply {
    nlohmann::json message;
    UniqueFd fd;
    bool ok() const { return message.value("ok", false); }
};

using ProgressCallback = std::function<void(const nlohmann::json& progress)>;

/// The longest answer line the client reads (a `list --json` of a very large vault fits).
inline constexpr std::size_t k_max_answer_bytes = std::size_t{1} << 30;

class Client {
public:
    /// Connects to `socket`; throws UnreachableError naming it, or Error(forbidden) when
    /// the socket's permissions keep the caller out.
    static Client connect(const std::filesystem::path& socket);

    /// Sends `command` with `args` and waits for the final response, passing progress
    /// lines to `on_progress`. Waits at most `timeout` between two lines (nullopt: forever).
    /// `fds` travel with the request (SCM_RIGHTS; at most k_max_request_fds).
    Reply call(const std::string& command, const nlohmann::json& args = nlohmann::json::object(),
               const ProgressCallback& on_progress = {},
               std::optional<std::chrono::milliseconds> timeout = std::nullopt,
               const std::vector<int>& fds = {});

    /// Sends raw bytes (tests use it for malformed requests); `fds` go with the first byte.
    void send_raw(std::string_view bytes, const std::vector<int>& fds = {});
    /// Reads the next line (and any descriptor sent with it).
    Reply read_line(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

private:
    Client(UniqueFd fd, std::filesystem::path path)
        : m_fd(std::move(fd)), m_path(std::move(path)) {}

    UniqueFd m_fd;
    std::filesystem::path m_path;
    /// Lines from the daemon: an answer can be as large as a `list` of every version.
    LineFramer m_framer{k_max_answer_bytes};
    unsigned long long m_next_id = 1;
};

} // namespace mv::ipc
