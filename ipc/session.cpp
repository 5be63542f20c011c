#include "ipc/session.hpp"

#include <atomic>
#include <cerrno>
#include <span>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "ipc/fd_passing.hpp"

namespace mv::ipc {

namespace asio = boost::asio;

namespace {

constexpr std::size_t k_max_queued_progress = 16;

// Answers one request from any thread by posting to the session's I/O thread. It owns
// the session until the final answer is queued: nothing else keeps a session alive
// while its request is being worked on.
class SessionResponder final : public Responder {
public:
    SessionResponder(std::shared_ptr<Session> session, nlohmann::json id)
        : m_session(std::move(session)), m_executor(m_session->executor()), m_id(std::move(id)) {}

    ~SessionResponder() override {
        if (!m_done.exchange(true)) {
            // A handler that forgot to answer must not leave the client waiting forever.
            post_final(serialize(error_response(m_id, ErrorCode::internal,
                                                "the daemon dropped this request without an "
                                                "answer; please report a bug")),
                       UniqueFd());
        }
    }

    void progress(nlohmann::json progress) override {
        if (m_done) {
            return;
        }
        asio::post(m_executor,
                   [session = m_session,
                    line = serialize(progress_line(m_id, std::move(progress)))]() mutable {
                       session->send(std::move(line), UniqueFd(), Session::Kind::progress);
                   });
    }

    void succeed(nlohmann::json result, UniqueFd fd) override {
        if (!m_done.exchange(true)) {
            post_final(serialize(success_response(m_id, std::move(result))), std::move(fd));
        }
    }

    void fail(ErrorCode code, std::string message) override {
        if (!m_done.exchange(true)) {
            post_final(serialize(error_response(m_id, code, message)), UniqueFd());
        }
    }

    bool connected() const override { return m_session->is_open(); }

private:
    void post_final(std::string line, UniqueFd fd) {
        asio::post(m_executor, [session = m_session, line = std::move(line),
                                fd = std::make_shared<UniqueFd>(std::move(fd))]() mutable {
            session->send(std::move(line), std::move(*fd), Session::Kind::final);
        });
    }

    std::shared_ptr<Session> m_session;
    asio::any_io_executor m_executor;
    nlohmann::json m_id;
    std::atomic<bool> m_done{false};
};

} // namespace

Session::Session(asio::local::stream_protocol::socket socket, Peer peer, Admission admission,
                 const RequestHandler& handler, const ServerLimits& limits)
    : m_socket(std::move(socket)), m_peer(peer), m_admission(admission), m_handler(handler),
      m_limits(limits), m_idle_timer(m_socket.get_executor()),
      m_write_timer(m_socket.get_executor()) {}

void Session::start() {
    read_next();
}

void Session::close() {
    if (!m_open) {
        return;
    }
    m_open = false;
    boost::system::error_code ignored;
    m_idle_timer.cancel();
    m_write_timer.cancel();
    m_socket.shutdown(asio::socket_base::shutdown_both, ignored);
    m_socket.close(ignored);
}

void Session::read_next() {
    if (!m_open) {
        return;
    }
    // A pipelined request may already be buffered.
    if (m_framer.status() != LineFramer::Status::need_more) {
        asio::post(m_socket.get_executor(), [self = shared_from_this()] { self->on_line(); });
        return;
    }
    // One deadline per request, from the end of the previous answer (or from the
    // connection for the first): a client dribbling a byte at a time does not extend it.
    if (!m_deadline_set) {
        m_deadline_set = true;
        m_idle_timer.expires_after(m_first_request ? m_limits.first_request_timeout
                                                   : m_limits.idle_timeout);
    }
    m_idle_timer.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
        if (!error) {
            spdlog::debug("control socket: closing a connection (uid {}, pid {}) that sent no "
                          "{}request in time",
                          self->m_peer.uid, self->m_peer.pid,
                          self->m_first_request ? "" : "further ");
            self->close();
        }
    });
    m_socket.async_wait(asio::socket_base::wait_read,
                        [self = shared_from_this()](const boost::system::error_code& error) {
                            self->m_idle_timer.cancel();
                            if (error) {
                                self->close();
                                return;
                            }
                            self->receive();
                        });
}

// recvmsg(2) rather than a plain read: a request may carry descriptors (SCM_RIGHTS), which
// belong to the line whose bytes arrived with them (ipc/framer.hpp).
void Session::receive() {
    char data[65536];
    Received got =
        receive_with_fds(m_socket.native_handle(), data, k_max_request_fds, MSG_DONTWAIT);
    if (got.bytes < 0 && (got.error == EAGAIN || got.error == EWOULDBLOCK || got.error == EINTR)) {
        read_next();
        return;
    }
    if (got.bytes <= 0) {
        close();
        return;
    }
    m_framer.push(std::string_view(data, static_cast<std::size_t>(got.bytes)), std::move(got.fds));
    if (m_framer.status() == LineFramer::Status::need_more) {
        read_next();
    } else {
        on_line();
    }
}

void Session::on_line() {
    if (m_framer.status() == LineFramer::Status::overflow) {
        // The line outgrew the limit: answer once, then hang up (the stream cannot be
        // resynchronised).
        send(serialize(error_response(nullptr, ErrorCode::invalid_argument,
                                      "request is larger than the 1 MiB limit; the connection "
                                      "is closed")),
             UniqueFd(), Kind::final_then_close);
        return;
    }
    Frame frame = m_framer.take();
    const std::string& line = frame.line;
    if (line.empty() || line == "\r") {
        read_next(); // an empty line is no request: the deadline stays
        return;
    }
    m_deadline_set = false; // the next request's deadline starts after this answer
    m_first_request = false;
    auto request = parse_request(line);
    if (!request) {
        send(serialize(
                 error_response(request.error().id, request.error().code, request.error().message)),
             UniqueFd(), Kind::final);
        return;
    }
    request->fds = std::move(frame.fds);
    auto responder = std::make_shared<SessionResponder>(shared_from_this(), request->id);
    try {
        m_handler(m_peer, std::move(*request), std::move(responder));
    } catch (const std::exception& e) {
        spdlog::error("control socket: request handler failed: {}", e.what());
    }
}

void Session::send(std::string line, UniqueFd fd, Kind kind) {
    if (!m_open) {
        return;
    }
    if (kind == Kind::final && m_admission == Admission::stranger) {
        kind = Kind::final_then_close; // it may run nothing: it needs no slot any longer
    }
    if (kind == Kind::progress) {
        // Keep memory bounded for a client that does not read: replace the newest queued
        // progress line instead of queueing more. (Finals are never dropped; at most one is
        // queued, because the next request is read only after it was written.)
        std::size_t queued = 0;
        for (const auto& item : m_outbox) {
            queued += item.kind == Kind::progress ? 1 : 0;
        }
        if (queued >= k_max_queued_progress && m_outbox.size() > 1 &&
            m_outbox.back().kind == Kind::progress) {
            m_outbox.back().data = std::move(line);
            return;
        }
    }
    m_outbox.push_back({std::move(line), std::move(fd), kind});
    if (!m_writing) {
        write_next();
    }
}

void Session::write_next() {
    if (m_outbox.empty() || !m_open) {
        m_writing = false;
        return;
    }
    m_writing = true;
    m_write_timer.expires_after(m_limits.write_timeout);
    m_write_timer.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
        if (!error) {
            spdlog::warn("control socket: dropping a client (pid {}) that stopped reading",
                         self->m_peer.pid);
            self->close();
        }
    });
    if (m_outbox.front().fd) {
        write_with_fd();
        return;
    }
    asio::async_write(m_socket, asio::buffer(m_outbox.front().data),
                      [self = shared_from_this()](const boost::system::error_code& error,
                                                  std::size_t) { self->on_written(error); });
}

// The descriptor rides on the first byte of its line (SCM_RIGHTS); the rest of the line
// follows as ordinary data.
void Session::write_with_fd() {
    m_socket.async_wait(asio::socket_base::wait_write, [self = shared_from_this()](
                                                           const boost::system::error_code& error) {
        if (error) {
            self->on_written(error);
            return;
        }
        Outgoing& item = self->m_outbox.front();
        const int fd = item.fd.get();
        const ssize_t sent = send_with_fds(self->m_socket.native_handle(), item.data,
                                           std::span<const int>(&fd, 1), MSG_DONTWAIT);
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            self->write_with_fd();
            return;
        }
        if (sent < 0) {
            self->on_written(boost::system::error_code(errno, boost::system::system_category()));
            return;
        }
        item.fd.reset();
        item.data.erase(0, static_cast<std::size_t>(sent));
        if (item.data.empty()) {
            self->on_written({});
            return;
        }
        asio::async_write(
            self->m_socket, asio::buffer(item.data),
            [self](const boost::system::error_code& e, std::size_t) { self->on_written(e); });
    });
}

void Session::on_written(const boost::system::error_code& error) {
    m_write_timer.cancel();
    if (error) {
        close();
        return;
    }
    const Kind kind = m_outbox.front().kind;
    m_outbox.pop_front();
    if (kind == Kind::final_then_close) {
        close();
        return;
    }
    write_next();
    if (kind == Kind::final) {
        read_next(); // the answer is out: now the next request
    }
}

} // namespace mv::ipc
