#pragma once
// The HTTP/1.1 server of the daemon (docs/HTTP.md), Boost.Beast on the daemon's Asio
// event loop. Each connection reads one request at a time under deadlines and size
// limits, hands it to the handler, writes the answer and reads the next (keep-alive).
// Knows nothing of commands or tokens: the handler decides (http/router, the daemon).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "util/fd.hpp"

namespace boost::asio::ssl {
class context;
} // namespace boost::asio::ssl

namespace mv::http {

struct Request {
    std::string method; ///< "GET", "POST" ...
    std::string target; ///< origin form: "/api/v1/status?x=1"
    std::string authorization;
    std::string cookie;
    std::string body;
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; ///< extra headers
    /// When open, the body is this file from its start to its end (an export), read as it
    /// is sent; `body` is ignored.
    UniqueFd file = {};
};

/// Answers one request, once, from any thread (a backup answers from a worker).
class Reply {
public:
    virtual ~Reply() = default;
    virtual void send(Response response) = 0;
};

/// Called on the I/O thread for each complete request; must not block.
using Handler = std::function<void(Request request, std::shared_ptr<Reply> reply)>;

/// None of these is configurable (docs/HTTP.md, "Limits").
struct Limits {
    std::size_t max_connections = 64;
    std::size_t max_header_bytes = 16u << 10;
    std::size_t max_body_bytes = 1u << 20; ///< as a control socket request
    /// The request line and headers must arrive this soon after the connection opened
    /// (or, on a kept-alive connection, after the previous answer was written) ...
    std::chrono::seconds header_timeout{10};
    /// ... and the body this soon after the headers: a client dribbling bytes is dropped.
    std::chrono::seconds body_timeout{30};
    std::chrono::seconds write_timeout{60}; ///< a client not reading this long is dropped
};

class Connection;

class Server {
public:
    Server(boost::asio::io_context& io, Handler handler, Limits limits = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds `host`:`port` (port 0: any free port) and starts accepting; throws Fatal
    /// naming the address when it cannot.
    void listen(const std::string& host, std::uint16_t port);
    /// Serves TLS with `context` (http/tls.hpp) to the connections accepted from now on;
    /// those already open keep theirs. Null: plain HTTP. Call before listen() to serve
    /// TLS only; a reload calls it again with a renewed certificate.
    void use_tls(std::shared_ptr<boost::asio::ssl::context> context);
    /// The port bound by listen().
    std::uint16_t port() const;
    /// Stops accepting and closes every connection.
    void stop();
    std::size_t connection_count() const;

private:
    void accept_next();

    boost::asio::io_context& m_io;
    Handler m_handler;
    Limits m_limits;
    std::shared_ptr<boost::asio::ssl::context> m_tls;
    boost::asio::ip::tcp::acceptor m_acceptor;
    std::set<std::weak_ptr<Connection>, std::owner_less<std::weak_ptr<Connection>>> m_connections;
};

/// The Content-Type of an error answer and of the API's JSON.
inline constexpr const char* k_json_type = "application/json";

} // namespace mv::http
