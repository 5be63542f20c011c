#pragma once
// A connection over one kind of stream (internal to http/): `boost::beast::tcp_stream`
// for plain HTTP, `boost::beast::ssl_stream<tcp_stream>` for TLS. The same reading,
// limits, deadlines and writing serve both; http/connection.cpp instantiates the two.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/connection.hpp"

namespace mv::http {

template <class Stream>
class StreamConnection final : public Connection,
                               public std::enable_shared_from_this<StreamConnection<Stream>> {
public:
    /// `stream` is ready to use; `tls` (null for plain TCP) is the context it was made
    /// with, kept until the connection ends.
    StreamConnection(Stream stream, std::shared_ptr<boost::asio::ssl::context> tls,
                     const Handler& handler, const Limits& limits);

    void start() override;
    void refuse(std::string message) override;
    void close() override;
    /// Writes the answer to the request being handled (I/O thread only).
    void answer(Response response);
    boost::asio::any_io_executor executor() { return m_stream.get_executor(); }

private:
    using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

    /// The TCP layer, which carries the deadlines.
    boost::beast::tcp_stream& tcp();
    /// Runs `next` once the TLS handshake is done (at once on plain TCP); a failed
    /// handshake closes the connection.
    template <class Next>
    void handshake(Next next);
    /// Reads the next request's headers; the caller set the deadline.
    void read_header();
    void on_header(const boost::system::error_code& error);
    void read_body();
    void on_body(const boost::system::error_code& error);
    /// An answer for a request that could not be read (too large, malformed), then close.
    void fail_request(const boost::system::error_code& error);
    void write(Response response, bool keep_alive);
    /// Sends the next piece of m_file_out.
    void write_file_part(bool keep_alive);
    /// After an answer: the next request, or the end of the connection.
    void after_write(const boost::system::error_code& error, bool keep_alive);
    /// Ends the connection after its last answer without losing that answer.
    void drain_and_close();
    /// Reads and drops what the client still sends, until it closes or the deadline.
    void drain();

    Stream m_stream;
    std::shared_ptr<boost::asio::ssl::context> m_tls;
    const Handler& m_handler;
    const Limits& m_limits;
    boost::beast::flat_buffer m_buffer;
    std::optional<Parser> m_parser;
    std::vector<char> m_drain;
    bool m_keep_alive = false;
    bool m_open = true;
    std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> m_out;
    std::shared_ptr<boost::beast::http::response<boost::beast::http::file_body>> m_file_out;
    std::optional<boost::beast::http::response_serializer<boost::beast::http::file_body>>
        m_file_writer;
};

} // namespace mv::http
