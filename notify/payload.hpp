#pragma once
// The JSON body of a webhook delivery (docs/NOTIFICATIONS.md, "Payloads"). Pure.

#include <string>

#include "notify/event.hpp"

namespace mv::notify {

/// Compact JSON: the envelope (event, delivery, time, host, modelvault) and the fields
/// the event's kind has, always all of them, so receivers can rely on the keys.
std::string build_payload(const Event& event, const std::string& delivery_id,
                          const std::string& daemon_version);

} // namespace mv::notify
