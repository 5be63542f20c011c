#include "http/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "http/connection.hpp"
#include "util/error.hpp"

namespace mv::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Server::Server(asio::io_context& io, Handler handler, Limits limits)
    : m_io(io), m_handler(std::move(handler)), m_limits(limits), m_acceptor(io) {}

Server::~Server() {
    stop();
}

void Server::listen(const std::string& host, std::uint16_t port) {
    try {
        const tcp::endpoint endpoint(asio::ip::make_address(host), port);
        m_acceptor.open(endpoint.protocol());
        m_acceptor.set_option(asio::socket_base::reuse_address(true));
        m_acceptor.bind(endpoint);
        m_acceptor.listen(asio::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
        throw Fatal(fmt::format("cannot serve HTTP on {}:{}: {}; choose another port in "
                                "`http.listen`, or stop what uses it (ss -ltnp)",
                                host, port, e.code().message()));
    }
    accept_next();
}

void Server::use_tls(std::shared_ptr<asio::ssl::context> context) {
    m_tls = std::move(context);
}

std::uint16_t Server::port() const {
    boost::system::error_code error;
    const auto endpoint = m_acceptor.local_endpoint(error);
    return error ? 0 : endpoint.port();
}

void Server::stop() {
    boost::system::error_code ignored;
    m_acceptor.close(ignored);
    for (const auto& weak : m_connections) {
        if (auto connection = weak.lock()) {
            connection->close();
        }
    }
    m_connections.clear();
}

std::size_t Server::connection_count() const {
    std::size_t count = 0;
    for (const auto& weak : m_connections) {
        count += weak.expired() ? 0 : 1;
    }
    return count;
}

void Server::accept_next() {
    m_acceptor.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
        if (error == asio::error::operation_aborted || !m_acceptor.is_open()) {
            return;
        }
        if (error) {
            // EMFILE and the like: the next accept may succeed once descriptors are free.
            spdlog::warn("HTTP: accepting a connection failed: {}", error.message());
            accept_next();
            return;
        }
        std::erase_if(m_connections, [](const auto& weak) { return weak.expired(); });
        auto connection = make_connection(std::move(socket), m_tls, m_handler, m_limits);
        if (m_connections.size() >= m_limits.max_connections) {
            connection->refuse(fmt::format("the daemon already serves {} HTTP connections; try "
                                           "again later",
                                           m_limits.max_connections));
        } else {
            m_connections.insert(connection);
            connection->start();
        }
        accept_next();
    });
}

} // namespace mv::http
