#include "tests/integration/notify_socket.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace mv::test {

bool Notification::has(const std::string& line) const {
    for (const auto& l : lines) {
        if (l == line) {
            return true;
        }
    }
    return false;
}

std::optional<std::string> Notification::value(const std::string& key) const {
    const std::string prefix = key + "=";
    for (const auto& l : lines) {
        if (l.starts_with(prefix)) {
            return l.substr(prefix.size());
        }
    }
    return std::nullopt;
}

NotifySocket::NotifySocket(std::filesystem::path path) : m_path(std::move(path)) {
    struct sockaddr_un address {};
    if (m_path.native().size() >= sizeof address.sun_path) {
        throw std::runtime_error("notify socket path too long: " + m_path.string());
    }
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, m_path.c_str(), m_path.native().size());
    if (::bind(m_fd, reinterpret_cast<struct sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        ::close(m_fd);
        throw std::runtime_error("bind " + m_path.string() + ": " + std::strerror(error));
    }
    m_reader = std::jthread([this](const std::stop_token& stop) { read_all(stop); });
}

NotifySocket::~NotifySocket() {
    m_reader.request_stop();
    m_reader.join();
    ::close(m_fd);
    std::error_code ignored;
    std::filesystem::remove(m_path, ignored);
}

namespace {

Notification parse_message(const std::string& buffer) {
    Notification message{{}, std::chrono::steady_clock::now()};
    std::size_t start = 0;
    while (start < buffer.size()) {
        std::size_t end = buffer.find('\n', start);
        if (end == std::string::npos) {
            end = buffer.size();
        }
        if (end > start) {
            message.lines.push_back(buffer.substr(start, end - start));
        }
        start = end + 1;
    }
    return message;
}

} // namespace

void NotifySocket::read_all(const std::stop_token& stop) {
    // sd_notify messages are small; 64 KiB is far more than any of them.
    std::string buffer(64 * 1024, '\0');
    while (!stop.stop_requested()) {
        struct pollfd poll_fd {
            m_fd, POLLIN, 0
        };
        if (::poll(&poll_fd, 1, 50) <= 0) {
            continue; // a short wait, so that a stop is noticed soon
        }
        const ssize_t size = ::recv(m_fd, buffer.data(), buffer.size(), 0);
        if (size < 0) {
            continue;
        }
        Notification message = parse_message(buffer.substr(0, static_cast<std::size_t>(size)));
        {
            const std::lock_guard lock(m_mutex);
            m_history.push_back(message);
            m_unread.push_back(std::move(message));
        }
        m_arrived.notify_all();
    }
}

std::optional<Notification> NotifySocket::receive(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    if (!m_arrived.wait_for(lock, timeout, [this] { return !m_unread.empty(); })) {
        return std::nullopt;
    }
    Notification message = std::move(m_unread.front());
    m_unread.pop_front();
    return message;
}

std::vector<Notification> NotifySocket::history() const {
    const std::lock_guard lock(m_mutex);
    return m_history;
}

std::optional<Notification> NotifySocket::wait_for(const std::string& line,
                                                   std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const bool is_key = line.ends_with('=');
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        auto message = receive(left);
        if (!message) {
            return std::nullopt;
        }
        const bool match = is_key ? message->value(line.substr(0, line.size() - 1)).has_value()
                                  : message->has(line);
        if (match) {
            return message;
        }
    }
}

} // namespace mv::test
