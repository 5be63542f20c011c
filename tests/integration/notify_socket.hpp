#pragma once
// The service manager's side of sd_notify(3) for tests: a datagram socket the daemon is
// pointed at with NOTIFY_SOCKET, and every message it sent, with the time it arrived.
// Like systemd, it reads every message as it comes (on a thread of its own): sd_notify()
// blocks the sender once the receiver has net.unix.max_dgram_qlen unread datagrams (10
// where systemd did not raise it), and a test that stops reading would stall the daemon.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace mv::test {

/// One sd_notify datagram: its "KEY=value" lines and when it arrived.
struct Notification {
    std::vector<std::string> lines;
    std::chrono::steady_clock::time_point at;

    /// True when one line is exactly `line` ("READY=1").
    bool has(const std::string& line) const;
    /// The value of `key` ("STATUS" → the status text), if the message sets it.
    std::optional<std::string> value(const std::string& key) const;
};

class NotifySocket {
public:
    /// Binds a Unix datagram socket at `path` (throws on failure).
    explicit NotifySocket(std::filesystem::path path);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    const std::filesystem::path& path() const { return m_path; }

    /// The next message within `timeout`, or nullopt. Every message is also kept in history().
    std::optional<Notification> receive(std::chrono::milliseconds timeout);
    /// Receives until a message has the line `line` (or sets `line` when it ends in '=');
    /// nullopt when `timeout` passes first.
    std::optional<Notification> wait_for(const std::string& line,
                                         std::chrono::milliseconds timeout);
    /// Everything received so far, oldest first.
    std::vector<Notification> history() const;

private:
    void read_all(const std::stop_token& stop);

    std::filesystem::path m_path;
    int m_fd = -1;
    mutable std::mutex m_mutex;
    std::condition_variable m_arrived;
    std::deque<Notification> m_unread; ///< not yet returned by receive()
    std::vector<Notification> m_history;
    std::jthread m_reader; ///< last: stopped and joined before the members above go
};

} // namespace mv::test
