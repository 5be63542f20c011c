#include "notify/delivery_policy.hpp"

#include <algorithm>

namespace mv::notify {

DeliveryVerdict classify_answer(std::optional<long> http_status) {
    if (!http_status) {
        return DeliveryVerdict::retry;
    }
    const long status = *http_status;
    if (status >= 200 && status < 300) {
        return DeliveryVerdict::delivered;
    }
    if (status >= 500 || status == 408 || status == 429) {
        return DeliveryVerdict::retry;
    }
    return DeliveryVerdict::rejected;
}

std::chrono::milliseconds retry_delay(int failures, double jitter) {
    const int doublings = std::clamp(failures - 1, 0, 20);
    const auto base =
        std::min<std::chrono::milliseconds>(k_first_retry * (1LL << doublings), k_longest_retry);
    const double stretch = 1.0 + 0.2 * std::clamp(jitter, 0.0, 1.0);
    return std::chrono::milliseconds(
        static_cast<std::chrono::milliseconds::rep>(static_cast<double>(base.count()) * stretch));
}

bool expired(SystemTime created, SystemTime now) {
    return now - created > k_delivery_lifetime;
}

} // namespace mv::notify
