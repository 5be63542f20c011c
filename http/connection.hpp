#pragma once
// One client connection of the HTTP server (internal to http/).

#include <memory>
#include <optional>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/server.hpp"

namespace mv::http {

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(boost::asio::ip::tcp::socket socket, const Handler& handler, const Limits& limits);

    /// Reads requests until the client or a limit ends the connection.
    void start();
    /// Answers 503 at once and closes: the server has no slot for this client.
    void refuse(std::string message);
    /// Writes the answer to the request being handled (I/O thread only).
    void answer(Response response);
    void close();
    boost::asio::any_io_executor executor() { return m_stream.get_executor(); }

private:
    using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

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

    boost::beast::tcp_stream m_stream;
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
