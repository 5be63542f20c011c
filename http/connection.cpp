#include "http/connection.hpp"

#include <atomic>
#include <type_traits>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "http/api_error.hpp"
#include "http/stream_connection.hpp"

namespace mv::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// Posts the answer to the connection's I/O thread; later answers are dropped.
template <class Stream>
class ConnectionReply final : public Reply {
public:
    explicit ConnectionReply(std::shared_ptr<StreamConnection<Stream>> connection)
        : m_connection(std::move(connection)) {}
    void send(Response response) override {
        if (m_sent.exchange(true)) {
            return;
        }
        asio::post(m_connection->executor(),
                   [connection = m_connection, response = std::move(response)]() mutable {
                       connection->answer(std::move(response));
                   });
    }

private:
    std::shared_ptr<StreamConnection<Stream>> m_connection;
    std::atomic<bool> m_sent{false};
};

std::string header(const bhttp::request<bhttp::string_body>& request, bhttp::field field) {
    const auto it = request.find(field);
    return it == request.end() ? std::string() : std::string(it->value());
}

} // namespace

template <class Stream>
StreamConnection<Stream>::StreamConnection(Stream stream, std::shared_ptr<ssl::context> tls,
                                           const Handler& handler, const Limits& limits)
    : m_stream(std::move(stream)), m_tls(std::move(tls)), m_handler(handler), m_limits(limits) {}

template <class Stream>
beast::tcp_stream& StreamConnection<Stream>::tcp() {
    return beast::get_lowest_layer(m_stream);
}

template <class Stream>
template <class Next>
void StreamConnection<Stream>::handshake(Next next) {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
        // No plain-HTTP fallback: a client that does not speak TLS fails here and is closed
        // (docs/HTTP.md, "TLS").
        m_stream.async_handshake(
            ssl::stream_base::server, [self = this->shared_from_this(), next = std::move(next)](
                                          const beast::error_code& error) mutable {
                if (error) {
                    spdlog::debug("HTTP: TLS handshake failed: {}", error.message());
                    self->close();
                } else {
                    next();
                }
            });
    } else {
        next();
    }
}

template <class Stream>
void StreamConnection<Stream>::start() {
    // The handshake and the first request's headers share the header deadline.
    tcp().expires_after(m_limits.header_timeout);
    handshake([this] { read_header(); });
}

template <class Stream>
void StreamConnection<Stream>::refuse(std::string message) {
    tcp().expires_after(m_limits.header_timeout);
    handshake([this, message = std::move(message)]() mutable {
        write({503, k_json_type, ApiError(503, "unavailable", std::move(message)).body(), {}},
              false);
    });
}

template <class Stream>
void StreamConnection<Stream>::close() {
    if (!m_open) {
        return;
    }
    m_open = false;
    beast::error_code ignored;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().close();
}

template <class Stream>
void StreamConnection<Stream>::drain_and_close() {
    // Closing with unread bytes (the rest of a body over the limit) would send a reset,
    // and the client could lose the answer before reading it: say we are done, then read
    // and drop what still comes, until it pauses for a short while.
    if constexpr (!std::is_same_v<Stream, TlsStream>) {
        // TLS has no half close: its close_notify would make OpenSSL refuse what still
        // comes. There the answer's `Connection: close` says it, and the client hangs up.
        beast::error_code ignored;
        tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    }
    drain();
}

template <class Stream>
void StreamConnection<Stream>::drain() {
    tcp().expires_after(std::chrono::seconds(2));
    m_drain.resize(16u << 10);
    m_stream.async_read_some(asio::buffer(m_drain), [self = this->shared_from_this()](
                                                        beast::error_code error, std::size_t) {
        if (error) {
            self->close();
        } else {
            self->drain();
        }
    });
}

template <class Stream>
void StreamConnection<Stream>::read_header() {
    m_parser.emplace();
    m_parser->header_limit(static_cast<std::uint32_t>(m_limits.max_header_bytes));
    m_parser->body_limit(m_limits.max_body_bytes);
    bhttp::async_read_header(m_stream, m_buffer, *m_parser,
                             [self = this->shared_from_this()](
                                 beast::error_code error, std::size_t) { self->on_header(error); });
}

template <class Stream>
void StreamConnection<Stream>::on_header(const beast::error_code& error) {
    if (error) {
        fail_request(error);
        return;
    }
    const auto& request = m_parser->get();
    if (beast::iequals(header(request, bhttp::field::expect), "100-continue")) {
        // curl asks before it sends a body over 1 KiB; the limits were checked already.
        static const std::string k_continue = "HTTP/1.1 100 Continue\r\n\r\n";
        tcp().expires_after(m_limits.write_timeout);
        asio::async_write(m_stream, asio::buffer(k_continue),
                          [self = this->shared_from_this()](beast::error_code e, std::size_t) {
                              if (e) {
                                  self->close();
                              } else {
                                  self->read_body();
                              }
                          });
        return;
    }
    read_body();
}

template <class Stream>
void StreamConnection<Stream>::read_body() {
    tcp().expires_after(m_limits.body_timeout);
    bhttp::async_read(m_stream, m_buffer, *m_parser,
                      [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                          self->on_body(error);
                      });
}

template <class Stream>
void StreamConnection<Stream>::on_body(const beast::error_code& error) {
    if (error) {
        fail_request(error);
        return;
    }
    tcp().expires_never(); // the handler may take long (a backup); the client waits
    auto message = m_parser->release();
    m_parser.reset();
    m_keep_alive = message.keep_alive();
    Request request{std::string(message.method_string()), std::string(message.target()),
                    header(message, bhttp::field::authorization),
                    header(message, bhttp::field::cookie), std::move(message.body())};
    try {
        m_handler(std::move(request),
                  std::make_shared<ConnectionReply<Stream>>(this->shared_from_this()));
    } catch (const std::exception& e) {
        spdlog::error("HTTP: handling a request failed: {}", e.what());
        answer({500, k_json_type, ApiError(500, "internal", e.what()).body(), {}});
    }
}

template <class Stream>
void StreamConnection<Stream>::fail_request(const beast::error_code& error) {
    if (error == bhttp::error::body_limit) {
        write({413,
               k_json_type,
               ApiError(413, "too_large",
                        fmt::format("the request body is larger than the {} byte limit",
                                    m_limits.max_body_bytes))
                   .body(),
               {}},
              false);
    } else if (error == bhttp::error::header_limit) {
        write({431,
               k_json_type,
               ApiError(431, "too_large",
                        fmt::format("the request line and headers are larger than the {} byte "
                                    "limit",
                                    m_limits.max_header_bytes))
                   .body(),
               {}},
              false);
    } else if (error.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
               error != bhttp::error::end_of_stream && error != bhttp::error::partial_message) {
        write({400,
               k_json_type,
               ApiError(400, "invalid_argument",
                        fmt::format("malformed HTTP request: {}", error.message()))
                   .body(),
               {}},
              false);
    } else {
        // Closed by the client, or too slow (beast::error::timeout): nobody to answer.
        spdlog::debug("HTTP: connection ends: {}", error.message());
        close();
    }
}

template <class Stream>
void StreamConnection<Stream>::answer(Response response) {
    write(std::move(response), m_keep_alive);
}

namespace {

template <class Body>
std::shared_ptr<bhttp::response<Body>> response_head(const Response& response, bool keep_alive) {
    auto out =
        std::make_shared<bhttp::response<Body>>(static_cast<bhttp::status>(response.status), 11);
    out->set(bhttp::field::server, "modelvaultd");
    out->set(bhttp::field::content_type, response.content_type);
    out->set(bhttp::field::cache_control, "no-store");
    out->set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : response.headers) {
        out->set(name, value);
    }
    out->keep_alive(keep_alive);
    return out;
}

} // namespace

template <class Stream>
void StreamConnection<Stream>::write(Response response, bool keep_alive) {
    if (!m_open) {
        return;
    }
    if (response.file) {
        // Sent from its start as the socket takes it; Beast reads it in small pieces.
        m_file_out = response_head<bhttp::file_body>(response, keep_alive);
        beast::error_code error;
        ::lseek(response.file.get(), 0, SEEK_SET);
        beast::file file;
        file.native_handle(response.file.release());
        m_file_out->body().reset(std::move(file), error);
        if (error) {
            m_file_out.reset();
            write({500, k_json_type, ApiError(500, "io", error.message()).body(), {}}, false);
            return;
        }
        m_file_out->prepare_payload();
        m_file_writer.emplace(*m_file_out);
        write_file_part(keep_alive);
        return;
    }
    m_out = response_head<bhttp::string_body>(response, keep_alive);
    m_out->body() = std::move(response.body);
    m_out->prepare_payload();
    tcp().expires_after(m_limits.write_timeout);
    bhttp::async_write(
        m_stream, *m_out,
        [self = this->shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
            self->after_write(error, keep_alive);
        });
}

template <class Stream>
void StreamConnection<Stream>::write_file_part(bool keep_alive) {
    // A large file takes long over a slow link: the deadline is per piece, so only a
    // client that stops reading is dropped (docs/HTTP.md, "Limits").
    tcp().expires_after(m_limits.write_timeout);
    bhttp::async_write_some(
        m_stream, *m_file_writer,
        [self = this->shared_from_this(), keep_alive](beast::error_code error, std::size_t) {
            if (!error && !self->m_file_writer->is_done()) {
                self->write_file_part(keep_alive);
            } else {
                self->after_write(error, keep_alive);
            }
        });
}

template <class Stream>
void StreamConnection<Stream>::after_write(const beast::error_code& error, bool keep_alive) {
    m_file_writer.reset();
    m_file_out.reset();
    m_out.reset();
    if (error) {
        close();
    } else if (!keep_alive) {
        drain_and_close();
    } else {
        tcp().expires_after(m_limits.header_timeout);
        read_header();
    }
}

template class StreamConnection<PlainStream>;
template class StreamConnection<TlsStream>;

std::shared_ptr<Connection> make_connection(asio::ip::tcp::socket socket,
                                            std::shared_ptr<ssl::context> tls,
                                            const Handler& handler, const Limits& limits) {
    if (!tls) {
        return std::make_shared<StreamConnection<PlainStream>>(PlainStream(std::move(socket)),
                                                               nullptr, handler, limits);
    }
    TlsStream stream(std::move(socket), *tls);
    return std::make_shared<StreamConnection<TlsStream>>(std::move(stream), std::move(tls), handler,
                                                         limits);
}

} // namespace mv::http
