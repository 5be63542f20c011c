#include "notify/event.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace mv::notify {

namespace {

std::string bytes_text(std::uint64_t bytes, bool applies) {
    return applies ? std::to_string(bytes) : std::string();
}

} // namespace

std::string event_name(const Event& event) {
    return config::to_string(event.kind);
}

std::map<std::string, std::string> placeholder_values(const Event& event) {
    using config::NotifyEvent;
    const bool created = event.kind == NotifyEvent::backup_created;
    const bool pruned = event.kind == NotifyEvent::pruned;
    const bool disk_low = event.kind == NotifyEvent::disk_low;
    return {
        {"event", event_name(event)},
        {"time", format_utc(event.time)},
        {"host", event.host},
        {"watch", event.watch},
        {"model", event.model},
        {"version", event.version},
        {"trigger", event.trigger},
        {"reason", event.reason},
        {"path", event.path},
        {"error", event.error},
        {"user", event.user},
        {"replica", event.replica},
        {"size_bytes", bytes_text(event.size_bytes, created)},
        {"stored_bytes", bytes_text(event.stored_bytes, created)},
        {"reclaimed_bytes", bytes_text(event.reclaimed_bytes, pruned)},
        {"free_bytes", bytes_text(event.free_bytes, disk_low)},
        {"threshold_bytes", bytes_text(event.threshold_bytes, disk_low)},
        {"duration_seconds",
         created ? fmt::format("{:.3f}", static_cast<double>(event.duration.count()) / 1000.0)
                 : std::string()},
        {"removed", fmt::format("{}", fmt::join(event.removed, ","))},
    };
}

} // namespace mv::notify
