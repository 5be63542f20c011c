#include "ipc/client.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <span>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include "ipc/fd_passing.hpp"
#include "ipc/protocol.hpp"

namespace mv::ipc {

Client Client::connect(const std::filesystem::path& socket_path) {
    struct sockaddr_un address {};
    if (socket_path.native().size() >= sizeof address.sun_path) {
        throw UnreachableError(
            fmt::format("socket path {} is too long for a Unix socket", socket_path.string()));
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) {
        throw Error(errno_message("cannot create a socket", errno));
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.native().size());
    if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        if (error == EACCES || error == EPERM) {
            throw Error(fmt::format("permission denied on {}: ask an administrator to add you to "
                                    "the socket's group (access.socket_group in the config)",
                                    socket_path.string()),
                        ErrorCode::forbidden);
        }
        throw UnreachableError(fmt::format("cannot reach modelvaultd at {}: {}",
                                           socket_path.string(), std::strerror(error)));
    }
    return Client(std::move(fd), socket_path);
}

void Client::send_raw(std::string_view bytes, const std::vector<int>& fds) {
    if (fds.size() > k_max_request_fds) {
        throw Error(fmt::format("at most {} files can be passed at once", k_max_request_fds),
                    ErrorCode::invalid_argument);
    }
    std::span<const int> unsent(fds);
    while (!bytes.empty()) {
        const ssize_t sent = send_with_fds(m_fd.get(), bytes, unsent, 0);
        if (sent < 0 && errno == EINTR) {
            continue;
        }
        if (sent < 0) {
            throw UnreachableError(fmt::format("lost the connection to modelvaultd at {}: {}",
                                               m_path.string(), std::strerror(errno)));
        }
        unsent = {};
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
}

Reply Client::read_line(std::optional<std::chrono::milliseconds> timeout) {
    while (m_framer.status() != LineFramer::Status::frame) {
        if (m_framer.status() == LineFramer::Status::overflow) {
            throw Error("modelvaultd sent a line longer than the client accepts",
                        ErrorCode::internal);
        }
        struct pollfd waiting {
            m_fd.get(), POLLIN, 0
        };
        const int ready = ::poll(&waiting, 1, timeout ? static_cast<int>(timeout->count()) : -1);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready == 0) {
            throw UnreachableError(fmt::format("modelvaultd at {} did not answer within {} ms",
                                               m_path.string(), timeout->count()));
        }
        char data[65536];
        Received got = receive_with_fds(m_fd.get(), data, 1, 0);
        if (got.bytes < 0 && got.error == EINTR) {
            continue;
        }
        if (got.bytes <= 0) {
            throw UnreachableError(
                fmt::format("modelvaultd at {} closed the connection", m_path.string()));
        }
        m_framer.push(std::string_view(data, static_cast<std::size_t>(got.bytes)),
                      std::move(got.fds));
    }
    Frame frame = m_framer.take();
    Reply reply;
    reply.message = nlohmann::json::parse(frame.line, nullptr, false);
    if (reply.message.is_discarded()) {
        throw Error("modelvaultd sent a line that is not JSON", ErrorCode::internal);
    }
    // A descriptor belongs to the line whose bytes arrived with it (ipc/framer.hpp).
    if (!frame.fds.empty()) {
        reply.fd = std::move(frame.fds.front());
    }
    return reply;
}

Reply Client::call(const std::string& command, const nlohmann::json& args,
                   const ProgressCallback& on_progress,
                   std::optional<std::chrono::milliseconds> timeout, const std::vector<int>& fds) {
    const unsigned long long id = m_next_id++;
    try {
        send_raw(serialize({{"id", id}, {"command", command}, {"args", args}}), fds);
    } catch (const UnreachableError& lost) {
        // A daemon that refuses a connection (too many from this user) answers and hangs up
        // at once, maybe before the request was written: its answer is still there to read.
        try {
            return read_line(std::chrono::milliseconds(0));
        } catch (const Error&) {
            throw lost;
        }
    }
    while (true) {
        Reply reply = read_line(timeout);
        if (reply.message.contains("progress")) {
            if (on_progress) {
                on_progress(reply.message["progress"]);
            }
            continue;
        }
        return reply;
    }
}

} // namespace mv::ipc
