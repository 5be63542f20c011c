#include "notify/payload.hpp"

#include <nlohmann/json.hpp>

namespace mv::notify {

std::string build_payload(const Event& event, const std::string& delivery_id,
                          const std::string& daemon_version) {
    using config::NotifyEvent;
    nlohmann::ordered_json body = {{"event", event_name(event)},
                                   {"delivery", delivery_id},
                                   {"time", format_utc(event.time)},
                                   {"host", event.host},
                                   {"modelvault", daemon_version}};
    switch (event.kind) {
    case NotifyEvent::backup_created:
        body.update({{"watch", event.watch},
                     {"model", event.model},
                     {"version", event.version},
                     {"trigger", event.trigger},
                     {"reason", event.reason},
                     {"path", event.path},
                     {"size_bytes", event.size_bytes},
                     {"stored_bytes", event.stored_bytes},
                     {"duration_seconds", static_cast<double>(event.duration.count()) / 1000.0}});
        break;
    case NotifyEvent::backup_failed:
        body.update({{"watch", event.watch},
                     {"model", event.model},
                     {"trigger", event.trigger},
                     {"reason", event.reason},
                     {"error", event.error},
                     {"path", event.path}});
        break;
    case NotifyEvent::pruned:
        body.update({{"watch", event.watch},
                     {"model", event.model},
                     {"removed", event.removed},
                     {"reclaimed_bytes", event.reclaimed_bytes},
                     {"reason", event.reason}});
        break;
    case NotifyEvent::restored:
        body.update({{"watch", event.watch},
                     {"model", event.model},
                     {"version", event.version},
                     {"trigger", event.trigger},
                     {"path", event.path},
                     {"user", event.user}});
        break;
    case NotifyEvent::replica_failed:
        body.update({{"replica", event.replica}, {"model", event.model}, {"error", event.error}});
        break;
    case NotifyEvent::disk_low:
        body.update({{"path", event.path},
                     {"free_bytes", event.free_bytes},
                     {"threshold_bytes", event.threshold_bytes},
                     {"reason", event.reason}});
        break;
    }
    // Model ids are text forms (docs/FORMAT.md) and always valid UTF-8; an error message
    // may quote raw bytes, which are replaced rather than failing the delivery.
    return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace mv::notify
