#include "ipc/server.hpp"

#include <cerrno>
#include <cstring>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ipc/session.hpp"
#include "util/error.hpp"

namespace mv::ipc {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

bool someone_listens(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    const bool connected =
        ::connect(fd, reinterpret_cast<struct sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

Admission default_admission(const Peer& peer) {
    return peer.uid == 0 || peer.uid == ::geteuid() ? Admission::privileged : Admission::member;
}

Server::Server(asio::io_context& io, RequestHandler handler, ServerLimits limits,
               AdmissionFn admission)
    : m_io(io), m_handler(std::move(handler)), m_limits(limits), m_admission(std::move(admission)),
      m_acceptor(io), m_retry_timer(io) {}

Server::~Server() {
    stop();
}

void Server::listen(const std::filesystem::path& path, const std::string& group) {
    if (path.native().size() >= sizeof(sockaddr_un::sun_path)) {
        throw Fatal(fmt::format("socket path {} is longer than the {} bytes a Unix socket allows; "
                                "choose a shorter `socket` path",
                                path.string(), sizeof(sockaddr_un::sun_path) - 1));
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            throw Fatal(fmt::format("{} exists and is not a socket; remove it or choose another "
                                    "`socket` path",
                                    path.string()));
        }
        if (someone_listens(path)) {
            throw Fatal(fmt::format("another modelvaultd is already listening on {}; stop it "
                                    "first (modelvaultctl --socket {} status)",
                                    path.string(), path.string()));
        }
        ::unlink(path.c_str());
        spdlog::debug("control socket: removed the stale socket file {}", path.string());
    }
    std::error_code ignored;
    std::filesystem::create_directories(path.parent_path(), ignored);
    try {
        m_acceptor.open(local());
        m_acceptor.bind(local::endpoint(path.string()));
        m_acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
        throw Fatal(fmt::format("cannot listen on {}: {}", path.string(), e.code().message()));
    }
    m_bound_path = path;
    if (::chmod(path.c_str(), 0660) != 0) {
        spdlog::warn("control socket: cannot chmod {}: {}", path.string(), std::strerror(errno));
    }
    if (!group.empty()) {
        const struct group* entry = ::getgrnam(group.c_str());
        if (entry == nullptr) {
            spdlog::warn("control socket: group \"{}\" does not exist; {} keeps the daemon's "
                         "group (create it with `groupadd {}`)",
                         group, path.string(), group);
        } else if (::chown(path.c_str(), static_cast<uid_t>(-1), entry->gr_gid) != 0) {
            spdlog::warn("control socket: cannot give {} to group {}: {}", path.string(), group,
                         std::strerror(errno));
        }
    }
    accept_next();
}

void Server::adopt(int listening_fd) {
    m_acceptor.assign(local(), listening_fd);
    accept_next();
}

void Server::accept_next() {
    m_acceptor.async_accept([this](const boost::system::error_code& error, local::socket socket) {
        if (error == asio::error::operation_aborted || !m_acceptor.is_open()) {
            return;
        }
        if (!error) {
            std::erase_if(m_sessions, [](const auto& weak) { return weak.expired(); });
            if (auto peer = peer_of(socket.native_handle()); !peer) {
                spdlog::warn("control socket: {}", peer.error());
            } else {
                admit(std::move(socket), *peer);
            }
        } else {
            // Out of descriptors or memory: wait a little instead of spinning on it.
            spdlog::warn("control socket: accept failed: {}; retrying in 1 s", error.message());
            m_retry_timer.expires_after(std::chrono::seconds(1));
            m_retry_timer.async_wait([this](const boost::system::error_code& e) {
                if (!e && m_acceptor.is_open()) {
                    accept_next();
                }
            });
            return;
        }
        accept_next();
    });
}

void Server::admit(local::socket socket, const Peer& peer) {
    const Admission admission = m_admission(peer);
    if (const std::string why = refusal(peer, admission); !why.empty()) {
        // Answer at once and hang up: a refused peer holds no slot at all. The socket
        // buffer of a fresh connection has room for the line, so this never blocks.
        const std::string busy = serialize(error_response(nullptr, ErrorCode::unavailable, why));
        boost::system::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.send(asio::buffer(busy), MSG_NOSIGNAL, ignored);
        return;
    }
    auto session =
        std::make_shared<Session>(std::move(socket), peer, admission, m_handler, m_limits);
    m_sessions.insert(session);
    session->start();
}

std::string Server::refusal(const Peer& peer, Admission admission) {
    std::size_t open = 0;
    std::size_t unprivileged = 0;
    std::size_t same_uid = 0;
    for (const auto& weak : m_sessions) {
        if (const auto session = weak.lock(); session && session->is_open()) {
            ++open;
            unprivileged += session->admission() == Admission::privileged ? 0 : 1;
            same_uid += session->peer().uid == peer.uid ? 1 : 0;
        }
    }
    if (open >= m_limits.max_sessions) {
        return fmt::format("the daemon already serves {} connections; try again later",
                           m_limits.max_sessions);
    }
    if (admission == Admission::privileged) {
        return {};
    }
    if (same_uid >= m_limits.max_sessions_per_uid) {
        spdlog::debug("control socket: refusing uid {} (pid {}): {} connections already open",
                      peer.uid, peer.pid, same_uid);
        return fmt::format("uid {} already has {} connections open to the daemon, the most one "
                           "user may have; close some and try again",
                           peer.uid, same_uid);
    }
    if (unprivileged + m_limits.reserved_sessions >= m_limits.max_sessions) {
        return fmt::format("the daemon already serves {} connections (the last {} are kept for "
                           "root and the daemon's own user); try again later",
                           unprivileged, m_limits.reserved_sessions);
    }
    return {};
}

void Server::stop_accepting() {
    boost::system::error_code ignored;
    m_retry_timer.cancel();
    if (m_acceptor.is_open()) {
        m_acceptor.close(ignored);
    }
    if (!m_bound_path.empty()) {
        ::unlink(m_bound_path.c_str());
        m_bound_path.clear();
    }
}

void Server::stop() {
    stop_accepting();
    for (const auto& weak : m_sessions) {
        if (auto session = weak.lock()) {
            session->close();
        }
    }
    m_sessions.clear();
}

std::size_t Server::session_count() const {
    std::size_t count = 0;
    for (const auto& weak : m_sessions) {
        count += weak.expired() ? 0 : 1;
    }
    return count;
}

} // namespace mv::ipc
