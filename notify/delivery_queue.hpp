#pragma once
// The durable queue of webhook deliveries (docs/NOTIFICATIONS.md, "Delivery"): one file
// per delivery in VAULT/state/webhooks/, written atomically before the first attempt and
// removed once it is delivered or given up, so deliveries survive a restart or a crash.
// Bounded in entries and bytes: when full, the oldest deliveries are dropped to make room
// for the new one. Not thread-safe: one sender thread owns it.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "util/time.hpp"

namespace mv::notify {

struct QueuedDelivery {
    std::uint64_t sequence = 0; ///< order of arrival; assigned by push()
    std::string url;
    std::string event;    ///< "backup_created"
    std::string delivery; ///< the id receivers may use to ignore a repeat
    SystemTime created{};
    std::string body; ///< the exact JSON that is signed and sent
};

inline constexpr std::size_t k_max_queued_deliveries = 1000;
inline constexpr std::uint64_t k_max_queued_bytes = 16u << 20;

class DeliveryQueue {
public:
    /// Opens `dir` (created if needed) and loads what is in it. A file that cannot be read
    /// back is removed with a warning, as are temporary files of an interrupted write.
    /// Throws Error when the folder cannot be created or listed.
    DeliveryQueue(std::filesystem::path dir, std::size_t max_entries = k_max_queued_deliveries,
                  std::uint64_t max_bytes = k_max_queued_bytes);

    /// Stores `delivery` durably, first dropping the oldest entries while the bounds would
    /// be exceeded; returns those dropped. Throws Error(io) when it cannot be written (the
    /// queue is then unchanged apart from the drops).
    std::vector<QueuedDelivery> push(QueuedDelivery delivery);
    /// Forgets a delivery (delivered or given up) and removes its file.
    void remove(std::uint64_t sequence);

    /// Every waiting delivery, oldest first.
    const std::map<std::uint64_t, QueuedDelivery>& entries() const { return m_entries; }
    std::uint64_t bytes() const { return m_bytes; }

private:
    std::filesystem::path file_of(std::uint64_t sequence) const;
    void load();

    std::filesystem::path m_dir;
    std::size_t m_max_entries;
    std::uint64_t m_max_bytes;
    std::map<std::uint64_t, QueuedDelivery> m_entries;
    std::uint64_t m_bytes = 0;
    std::uint64_t m_next = 1;
};

/// What an entry costs against the byte bound.
std::uint64_t delivery_size(const QueuedDelivery& delivery);

} // namespace mv::notify
