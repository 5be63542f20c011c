#include "daemon/events.hpp"

#include "vault/model_id.hpp"

namespace mv::daemon {

notify::Event created_event(const config::Watch& watch, const std::string& relative,
                            const vault::Manifest& manifest, std::chrono::milliseconds elapsed,
                            SystemTime now) {
    notify::Event event;
    event.kind = config::NotifyEvent::backup_created;
    event.time = now;
    event.watch = watch.name;
    event.model = manifest.model;
    event.version = manifest.version.to_string();
    event.trigger = vault::to_string(manifest.trigger);
    event.reason = manifest.reason;
    event.path = (relative.empty() ? watch.path : watch.path / relative).string();
    event.size_bytes = manifest.total_size();
    event.stored_bytes = manifest.storage.new_bytes; // pack bytes it added (docs/FORMAT.md)
    event.duration = elapsed;
    return event;
}

notify::Event failed_event(const std::string& watch, const std::string& model,
                           const std::string& trigger, const std::string& path, ErrorCode code,
                           const std::string& message, SystemTime now) {
    notify::Event event;
    event.kind = config::NotifyEvent::backup_failed;
    event.time = now;
    event.watch = watch;
    event.model = model;
    event.trigger = trigger;
    event.path = path;
    event.reason = std::string(to_string(code));
    event.error = message;
    return event;
}

notify::Event pruned_event(const PruneReport& report, const std::string& policy, SystemTime now) {
    notify::Event event;
    event.kind = config::NotifyEvent::pruned;
    event.time = now;
    event.model = report.model;
    if (const auto id = vault::ModelId::parse(report.model)) {
        event.watch = id->watch;
    }
    event.removed = report.removed;
    event.reclaimed_bytes = report.reclaimed_bytes;
    event.reason = policy;
    return event;
}

notify::Event restored_event(const vault::Manifest& manifest, const std::string& how,
                             const std::string& path, const std::string& user, SystemTime now) {
    notify::Event event;
    event.kind = config::NotifyEvent::restored;
    event.time = now;
    event.watch = manifest.watch;
    event.model = manifest.model;
    event.version = manifest.version.to_string();
    event.trigger = how;
    event.path = path;
    event.user = user;
    return event;
}

} // namespace mv::daemon
