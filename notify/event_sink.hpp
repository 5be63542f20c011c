#pragma once
// Where the daemon's backup, prune and restore paths report events: one narrow interface,
// so they know nothing of hooks, webhooks, metrics or D-Bus.

#include "notify/event.hpp"

namespace mv::notify {

class EventSink {
public:
    virtual ~EventSink() = default;
    /// Tells everyone who listens. Thread-safe and never blocks on a listener.
    virtual void publish(Event event) = 0;
};

} // namespace mv::notify
