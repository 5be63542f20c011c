#pragma once
// Webhooks (docs/NOTIFICATIONS.md, "Webhooks"): each event a webhook subscribes to becomes
// a signed JSON POST. publish() never blocks: one thread of its own stores the delivery
// in the durable queue, sends it, and retries with back-off per URL while the receiver
// does not take it. A restart resumes what was left in the queue.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/model.hpp"
#include "notify/delivery_queue.hpp"
#include "notify/event.hpp"
#include "util/time.hpp"

namespace mv::notify {

struct WebhookTarget {
    std::string url;
    std::vector<config::NotifyEvent> events;
    std::string secret; ///< empty: deliveries are not signed
};

/// The targets of `webhooks`, with each secret_file read (a trailing newline is not part
/// of the secret). Throws Error naming the key and the file when a secret cannot be read
/// or is empty.
std::vector<WebhookTarget> load_webhook_targets(const std::vector<config::Webhook>& webhooks);

class WebhookService {
public:
    /// Opens the queue in `queue_dir` and starts the sender thread. Throws Error when the
    /// queue folder cannot be used.
    WebhookService(std::filesystem::path queue_dir, const Clock& clock, std::string version);
    /// Stops the thread; a POST in flight is abandoned (it stays queued).
    ~WebhookService();
    WebhookService(const WebhookService&) = delete;
    WebhookService& operator=(const WebhookService&) = delete;

    /// The webhooks from now on. Queued deliveries to a URL no longer configured are
    /// dropped when their turn comes.
    void configure(std::vector<WebhookTarget> targets);
    /// Queues one delivery per webhook subscribed to `event`; never blocks.
    void publish(const Event& event);

    struct Stats {
        std::uint64_t queued = 0; ///< waiting deliveries
        std::uint64_t queued_bytes = 0;
        std::map<std::string, std::uint64_t> finished; ///< delivered, rejected, expired, dropped
        std::uint64_t failed_attempts = 0;
    };
    Stats stats() const;

private:
    class Sender; // the thread's own state (queue, back-off per URL, libcurl handle)
    friend class Sender;
    void run(const std::stop_token& stop);

    const Clock& m_clock;
    std::string m_version;
    std::unique_ptr<DeliveryQueue> m_queue; ///< the sender thread's once started
    mutable std::mutex m_mutex;             ///< guards everything below
    std::condition_variable_any m_wake;
    std::shared_ptr<const std::vector<WebhookTarget>> m_targets;
    std::vector<QueuedDelivery> m_inbox; ///< published, not stored yet
    Stats m_stats;
    std::jthread m_thread; ///< last: stopped and joined first
};

} // namespace mv::notify
