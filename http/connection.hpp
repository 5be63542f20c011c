#pragma once
// One client connection of the HTTP server (internal to http/): what the server holds,
// whatever the transport (plain TCP, or TLS over TCP; http/stream_connection.hpp).

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "http/server.hpp"

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace mv::http {

class Connection {
public:
    virtual ~Connection() = default;

    /// Shakes hands (TLS), then reads requests until the client or a limit ends the
    /// connection.
    virtual void start() = 0;
    /// Shakes hands (TLS), answers 503 and closes: the server has no slot for this client.
    virtual void refuse(std::string message) = 0;
    virtual void close() = 0;
};

/// A connection on `socket`: TLS with `tls` when it is set (every request then comes after
/// the handshake; docs/HTTP.md, "TLS"), plain HTTP otherwise. It keeps `tls` alive.
std::shared_ptr<Connection> make_connection(boost::asio::ip::tcp::socket socket,
                                            std::shared_ptr<boost::asio::ssl::context> tls,
                                            const Handler& handler, const Limits& limits);

} // namespace mv::http
