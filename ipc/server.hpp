#pragma once
// The control socket server (STYLE §7, after the Asio examples): one session per
// connection reading `\n`-terminated requests under deadlines, a size limit per request,
// and a write queue so that a slow or silent client never blocks anybody else.
// Requests on one connection are answered in order, one at a time.

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

struct ServerLimits {
    std::size_t max_sessions = 128;
    std::chrono::seconds idle_timeout{300}; ///< a connection silent this long is closed
    std::chrono::seconds write_timeout{60}; ///< a client not reading this long is dropped
};

class Session;

class Server {
public:
    Server(boost::asio::io_context& io, RequestHandler handler, ServerLimits limits = {});
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

    boost::asio::io_context& m_io;
    RequestHandler m_handler;
    ServerLimits m_limits;
    boost::asio::local::stream_protocol::acceptor m_acceptor;
    boost::asio::steady_timer m_retry_timer; ///< backs off after accept errors (EMFILE ...)
    std::filesystem::path m_bound_path;
    std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> m_sessions;
};

} // namespace mv::ipc
