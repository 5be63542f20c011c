#pragma once
// The service manager conversation through libsystemd (docs/SERVICE.md): readiness, status
// lines, watchdog pings, reload and stop notices, and sockets passed by socket
// activation. Every call is a no-op when the daemon does not run under systemd.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mv::sd {

class Notifier {
public:
    /// READY=1: the vault is open, the start-up scan done, the socket served.
    void ready() const;
    /// RELOADING=1 (with MONOTONIC_USEC), before applying a new config.
    void reloading() const;
    /// STOPPING=1, when a stop was requested.
    void stopping() const;
    /// STATUS=<line>: a one-line summary for `systemctl status`.
    void status(std::string_view line) const;
    /// EXTEND_TIMEOUT_USEC=<extra> and STATUS=<line>: start-up work that takes long (the
    /// upgrade of a vault) is alive; systemd waits `extra` more before it gives up.
    void still_starting(std::chrono::microseconds extra, std::string_view line) const;
    /// WATCHDOG=1: the event loop is alive.
    void watchdog() const;
    /// The ping interval systemd expects (WATCHDOG_USEC), when it asked for pings.
    std::optional<std::chrono::microseconds> watchdog_interval() const;
};

/// A listening socket passed by the service manager.
struct ActivatedSocket {
    int fd = -1;
    std::string path; ///< the file it is bound to ("" for an abstract or unnamed socket)
};

/// The listening Unix stream sockets passed by the service manager (socket activation,
/// sd_listen_fds); empty if none. Other passed descriptors are logged and left alone.
std::vector<ActivatedSocket> activated_sockets();

} // namespace mv::sd
