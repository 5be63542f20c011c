#include "systemd/notify.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "util/time.hpp"

namespace mv::sd {

void Notifier::ready() const {
    sd_notify(0, "READY=1");
}

void Notifier::reloading() const {
    // systemd compares MONOTONIC_USEC with its own CLOCK_MONOTONIC reading.
    const std::uint64_t usec = monotonic_usec(system_clock().steady_now());
    sd_notify(0, fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec).c_str());
}

void Notifier::stopping() const {
    sd_notify(0, "STOPPING=1");
}

void Notifier::status(std::string_view line) const {
    sd_notify(0, fmt::format("STATUS={}", line).c_str());
}

void Notifier::still_starting(std::chrono::microseconds extra, std::string_view line) const {
    sd_notify(0, fmt::format("EXTEND_TIMEOUT_USEC={}\nSTATUS={}", extra.count(), line).c_str());
}

void Notifier::watchdog() const {
    sd_notify(0, "WATCHDOG=1");
}

std::optional<std::chrono::microseconds> Notifier::watchdog_interval() const {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        return std::chrono::microseconds(usec);
    }
    return std::nullopt;
}

std::vector<ActivatedSocket> activated_sockets() {
    std::vector<ActivatedSocket> sockets;
    // 1: unset LISTEN_FDS and LISTEN_PID, so that no child process believes they are its.
    const int count = sd_listen_fds(1);
    for (int i = 0; i < count; ++i) {
        const int fd = SD_LISTEN_FDS_START + i;
        if (sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) <= 0) {
            spdlog::warn("ignoring descriptor {} passed by systemd: not a listening Unix stream "
                         "socket (check ListenStream= in modelvaultd.socket)",
                         fd);
            continue;
        }
        struct sockaddr_un address {};
        socklen_t length = sizeof address;
        std::string path;
        if (::getsockname(fd, reinterpret_cast<struct sockaddr*>(&address), &length) == 0 &&
            length > offsetof(struct sockaddr_un, sun_path) && address.sun_path[0] != '\0') {
            path = address.sun_path;
        }
        sockets.push_back({fd, std::move(path)});
    }
    return sockets;
}

} // namespace mv::sd
