#pragma once
// One client connection of the control socket (internal to ipc/).

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ipc/framer.hpp"
#include "ipc/protocol.hpp"
#include "ipc/server.hpp"

namespace mv::ipc {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(boost::asio::local::stream_protocol::socket socket, Peer peer, Admission admission,
            const RequestHandler& handler, const ServerLimits& limits);
    /// What a line is: progress (may be coalesced), the final answer to a request (the
    /// next request is read once it has been written), or a final answer after which the
    /// connection is closed.
    enum class Kind { progress, final, final_then_close };

    void start();
    void close();
    /// Queues `line` (and `fd`, passed with it) after earlier lines. I/O thread only.
    void send(std::string line, UniqueFd fd, Kind kind);
    boost::asio::any_io_executor executor() { return m_socket.get_executor(); }
    /// False once the connection is closed; safe from any thread.
    bool is_open() const { return m_open.load(); }
    const Peer& peer() const { return m_peer; }
    Admission admission() const { return m_admission; }

private:
    struct Outgoing {
        std::string data;
        UniqueFd fd;
        Kind kind = Kind::final;
    };

    void read_next();
    void receive();
    void on_line();
    void write_next();
    void write_with_fd();
    void on_written(const boost::system::error_code& error);

    boost::asio::local::stream_protocol::socket m_socket;
    Peer m_peer;
    Admission m_admission;
    const RequestHandler& m_handler;
    const ServerLimits& m_limits;
    LineFramer m_framer{k_max_request_bytes}; ///< received, not yet parsed
    boost::asio::steady_timer m_idle_timer;   ///< the deadline of the request being read
    bool m_deadline_set = false;              ///< m_idle_timer's deadline is for this request
    bool m_first_request = true;
    boost::asio::steady_timer m_write_timer;
    std::deque<Outgoing> m_outbox;
    bool m_writing = false;
    std::atomic<bool> m_open{true};
};

} // namespace mv::ipc
