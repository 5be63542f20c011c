#pragma once
// The control socket server (after the Asio examples; docs/PROTOCOL.md): one session per
// connection reading `\n`-terminated requests under deadlines, a size limit per request,
// and a write queue so that a slow or silent client never blocks anybody else.
// Requests on one connection are answered in order, one at a time.
// Connection slots are shared out so that no user can lock others out (docs/PROTOCOL.md,
// "Limits"): each ordinary uid has a few, and a reserve is kept for root and the
// daemon's own user, who can always reach the daemon to see what is going on.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ipc/peer.hpp"
#include "ipc/protocol.hpp"
#include "ipc/responder.hpp"

namespace mv::ipc {

/// Called on the I/O thread for each well-formed request; must not block: long work goes
/// to another thread and answers through the responder.
using RequestHandler =
    std::function<void(const Peer& peer, Request request, std::shared_ptr<Responder> responder)>;

/// How the server treats a peer, decided once when it connects.
enum class Admission {
    privileged, ///< root and the daemon's own user: every slot, the reserve included
    member,     ///< may run some commands: at most max_sessions_per_uid slots per uid
    stranger,   ///< may run nothing: its first request is answered, then it is closed
};

/// Classifies a peer when it connects (the daemon asks its access policy).
using AdmissionFn = std::function<Admission(const Peer& peer)>;

/// root and the server's own effective uid are privileged, everyone else a member.
Admission default_admission(const Peer& peer);

struct ServerLimits {
    std::size_t max_sessions = 128;
    std::size_t reserved_sessions = 16;    ///< of max_sessions, kept for privileged peers
    std::size_t max_sessions_per_uid = 16; ///< for each uid that is not privileged
    /// A connection must deliver its first request this soon after it was accepted.
    std::chrono::seconds first_request_timeout{10};
    /// ... and each later request this soon after the previous answer was written.
    std::chrono::seconds idle_timeout{300};
    std::chrono::seconds write_timeout{60}; ///< a client not reading this long is dropped
};

class Session;

/// True when something accepts connections on the Unix socket `path`: another daemon
/// serves it (checked before anything is created, and again by Server::listen).
bool someone_listens(const std::filesystem::path& path);

class Server {
public:
    Server(boost::asio::io_context& io, RequestHandler handler, ServerLimits limits = {},
           AdmissionFn admission = default_admission);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and listens on `path` (mode 0660, group `group` when non-empty). A socket file
    /// left by a crashed daemon is replaced; throws Fatal when another daemon answers there
    /// or the path is not a socket.
    void listen(const std::filesystem::path& path, const std::string& group);
    /// Serves an already listening socket inherited from systemd.
    void adopt(int listening_fd);
    /// Stops accepting new connections and removes the socket file it created; open
    /// connections keep being served (to deliver answers during shutdown).
    void stop_accepting();
    /// stop_accepting(), then closes every connection.
    void stop();
    std::size_t session_count() const;

private:
    void accept_next();
    /// Starts a session for `peer`, or answers `unavailable` and closes when it gets no slot.
    void admit(boost::asio::local::stream_protocol::socket socket, const Peer& peer);
    /// Why `peer` gets no slot now (the `unavailable` message), or "" when it gets one.
    std::string refusal(const Peer& peer, Admission admission);

    boost::asio::io_context& m_io;
    RequestHandler m_handler;
    ServerLimits m_limits;
    AdmissionFn m_admission;
    boost::asio::local::stream_protocol::acceptor m_acceptor;
    boost::asio::steady_timer m_retry_timer; ///< backs off after accept errors (EMFILE ...)
    std::filesystem::path m_bound_path;
    std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> m_sessions;
};

} // namespace mv::ipc
