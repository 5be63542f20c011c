#pragma once
// When a webhook delivery is done, tried again or given up (docs/NOTIFICATIONS.md,
// "Delivery"). Pure: the sender passes in what happened and the time.

#include <chrono>
#include <optional>

#include "util/time.hpp"

namespace mv::notify {

enum class DeliveryVerdict {
    delivered, ///< a 2xx answer
    retry,     ///< no answer, a 5xx, 408 or 429: the receiver may take it later
    rejected,  ///< any other answer (3xx, 4xx): sending it again would not change it
};

/// What an answer means. `http_status` is nullopt when no answer came (refused, timed
/// out, TLS failure ...).
DeliveryVerdict classify_answer(std::optional<long> http_status);

/// The first retry comes after this; each failure in a row doubles it, up to the cap.
inline constexpr std::chrono::milliseconds k_first_retry{1000};
inline constexpr std::chrono::milliseconds k_longest_retry{5 * 60 * 1000};
/// A delivery not made this long after its event is dropped.
inline constexpr std::chrono::hours k_delivery_lifetime{24};

/// How long to wait after the `failures`-th failure in a row (≥ 1) to the same URL.
/// `jitter` in [0, 1) stretches it by up to a fifth, so that many daemons behind one
/// receiver do not retry in step.
std::chrono::milliseconds retry_delay(int failures, double jitter);

/// True when a delivery made at `created` is past k_delivery_lifetime at `now`.
bool expired(SystemTime created, SystemTime now);

} // namespace mv::notify
