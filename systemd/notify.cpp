#include "systemd/notify.hpp"

#include <ctime>
#include <string>

#include <fmt/format.h>
#include <systemd/sd-daemon.h>

namespace mv::sd {

void Notifier::ready() const {
    sd_notify(0, "READY=1");
}

void Notifier::reloading() const {
    struct timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
                      static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    sd_notify(0, fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec).c_str());
}

void Notifier::stopping() const {
    sd_notify(0, "STOPPING=1");
}

void Notifier::status(std::string_view line) const {
    sd_notify(0, fmt::format("STATUS={}", line).c_str());
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

std::vector<int> activated_sockets() {
    std::vector<int> fds;
    const int count = sd_listen_fds(1);
    for (int i = 0; i < count; ++i) {
        fds.push_back(SD_LISTEN_FDS_START + i);
    }
    return fds;
}

} // namespace mv::sd
