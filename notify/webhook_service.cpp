#include "notify/webhook_service.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include "notify/delivery_policy.hpp"
#include "notify/http_post.hpp"
#include "notify/payload.hpp"
#include "notify/signature.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::notify {

namespace {

using Steady = std::chrono::steady_clock;
constexpr std::chrono::seconds k_post_timeout{10};
constexpr std::chrono::minutes k_expiry_check{1};

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> random(bytes);
    if (RAND_bytes(random.data(), static_cast<int>(bytes)) != 1) {
        throw Error("OpenSSL could not produce random bytes", ErrorCode::internal);
    }
    std::string text;
    for (const unsigned char byte : random) {
        text += fmt::format("{:02x}", byte);
    }
    return text;
}

double jitter() {
    unsigned char byte = 0;
    RAND_bytes(&byte, 1);
    return byte / 256.0;
}

} // namespace

std::vector<WebhookTarget> load_webhook_targets(const std::vector<config::Webhook>& webhooks) {
    std::vector<WebhookTarget> targets;
    for (std::size_t i = 0; i < webhooks.size(); ++i) {
        const config::Webhook& webhook = webhooks[i];
        WebhookTarget target{webhook.url, webhook.events, {}};
        if (!webhook.secret_file.empty()) {
            auto secret = fs::read_file(webhook.secret_file, 64 * 1024);
            if (!secret) {
                throw Error(fmt::format("webhooks[{}].secret_file: {}", i, secret.error()),
                            ErrorCode::invalid_argument);
            }
            while (!secret->empty() && (secret->back() == '\n' || secret->back() == '\r')) {
                secret->pop_back();
            }
            if (secret->empty()) {
                throw Error(fmt::format("webhooks[{}].secret_file: {} is empty; put the shared "
                                        "secret in it (for example `openssl rand -hex 32`)",
                                        i, webhook.secret_file.string()),
                            ErrorCode::invalid_argument);
            }
            target.secret = std::move(*secret);
        }
        targets.push_back(std::move(target));
    }
    return targets;
}

// The sender thread: takes new deliveries from the inbox into the durable queue, sends
// the oldest delivery of each URL whose back-off has passed, and sleeps until the next
// one is due.
class WebhookService::Sender {
public:
    explicit Sender(WebhookService& service) : m_service(service) {}

    void loop(const std::stop_token& stop) {
        std::unique_lock lock(m_service.m_mutex);
        while (!stop.stop_requested()) {
            if (!m_service.m_targets) {
                // Not configured yet: a delivery queued before a restart must not be
                // dropped as "no longer configured" before the config is known.
                m_service.m_wake.wait(lock, stop, [&] { return m_service.m_targets != nullptr; });
                continue;
            }
            std::vector<QueuedDelivery> inbox = std::move(m_service.m_inbox);
            m_service.m_inbox.clear();
            const auto targets = m_service.m_targets;
            lock.unlock();
            store(std::move(inbox));
            const auto wake = send_due(*targets, stop);
            lock.lock();
            update_stats();
            m_service.m_wake.wait_until(lock, stop, wake,
                                        [&] { return !m_service.m_inbox.empty(); });
        }
    }

private:
    struct UrlState {
        int failures = 0; ///< in a row
        Steady::time_point next_attempt{};
    };

    void store(std::vector<QueuedDelivery> inbox) {
        for (auto& delivery : inbox) {
            try {
                for (const auto& dropped : m_service.m_queue->push(std::move(delivery))) {
                    finish(dropped, "dropped",
                           fmt::format("the webhook queue is full ({} deliveries or {}): "
                                       "dropped the oldest",
                                       k_max_queued_deliveries, format_bytes(k_max_queued_bytes)));
                }
            } catch (const Error& e) {
                spdlog::error("webhook: cannot queue a delivery: {}", e.what());
            }
        }
    }

    // Sends what is due; returns when to look again.
    Steady::time_point send_due(const std::vector<WebhookTarget>& targets,
                                const std::stop_token& stop) {
        const auto now = Steady::now();
        Steady::time_point wake = now + k_expiry_check;
        std::set<std::string> seen; // only the oldest delivery of each URL is looked at
        std::vector<QueuedDelivery> due;
        for (const auto& [sequence, delivery] : m_service.m_queue->entries()) {
            if (!seen.insert(delivery.url).second) {
                continue;
            }
            const auto state = m_urls.find(delivery.url);
            if (state != m_urls.end() && state->second.next_attempt > now) {
                wake = std::min(wake, state->second.next_attempt);
                continue;
            }
            due.push_back(delivery);
        }
        for (const auto& delivery : due) {
            if (stop.stop_requested()) {
                break;
            }
            attempt(delivery, targets, stop);
            wake = now; // look again at once: the URL's next delivery may be waiting
        }
        return wake;
    }

    void attempt(const QueuedDelivery& delivery, const std::vector<WebhookTarget>& targets,
                 const std::stop_token& stop) {
        const auto target = std::find_if(targets.begin(), targets.end(),
                                         [&](const auto& t) { return t.url == delivery.url; });
        if (target == targets.end()) {
            return finish(delivery, "dropped", "the webhook is no longer configured");
        }
        if (expired(delivery.created, m_service.m_clock.now())) {
            return finish(delivery, "expired",
                          fmt::format("not delivered within {} h", k_delivery_lifetime.count()));
        }
        std::vector<std::string> headers = {
            "Content-Type: application/json",
            "User-Agent: modelvaultd/" + m_service.m_version,
            "X-Modelvault-Event: " + delivery.event,
            "X-Modelvault-Delivery: " + delivery.delivery,
        };
        if (!target->secret.empty()) {
            headers.push_back(fmt::format("{}: {}", k_signature_header,
                                          sign_body(target->secret, delivery.body)));
        }
        const PostResult result =
            m_poster.post(delivery.url, delivery.body, headers, k_post_timeout, stop);
        if (stop.stop_requested()) {
            return; // stays queued for the next start
        }
        switch (classify_answer(result.http_status)) {
        case DeliveryVerdict::delivered:
            return delivered(delivery);
        case DeliveryVerdict::rejected:
            return finish(delivery, "rejected",
                          fmt::format("the receiver answered HTTP {}: {}", *result.http_status,
                                      result.error));
        case DeliveryVerdict::retry:
            return retry(delivery, result);
        }
    }

    void delivered(const QueuedDelivery& delivery) {
        UrlState& state = m_urls[delivery.url];
        if (state.failures > 0) {
            spdlog::info("webhook {}: {} {} delivered after {} failed attempt(s)", delivery.url,
                         delivery.event, delivery.delivery, state.failures);
        } else {
            spdlog::debug("webhook {}: {} {} delivered", delivery.url, delivery.event,
                          delivery.delivery);
        }
        state = {};
        count("delivered");
        m_service.m_queue->remove(delivery.sequence);
    }

    void retry(const QueuedDelivery& delivery, const PostResult& result) {
        UrlState& state = m_urls[delivery.url];
        ++state.failures;
        const auto delay = retry_delay(state.failures, jitter());
        state.next_attempt = Steady::now() + delay;
        const std::string why = result.http_status
                                    ? fmt::format("HTTP {} {}", *result.http_status, result.error)
                                    : result.error;
        spdlog::warn("webhook {}: {} {} not delivered ({}); trying again in {}", delivery.url,
                     delivery.event, delivery.delivery, why, format_elapsed(delay));
        std::lock_guard lock(m_service.m_mutex);
        ++m_service.m_stats.failed_attempts;
    }

    void finish(const QueuedDelivery& delivery, const char* outcome, const std::string& why) {
        spdlog::error("webhook {}: {} {} {}: {}", delivery.url, delivery.event, delivery.delivery,
                      outcome, why);
        count(outcome);
        m_service.m_queue->remove(delivery.sequence);
    }

    void count(const std::string& outcome) {
        std::lock_guard lock(m_service.m_mutex);
        ++m_service.m_stats.finished[outcome];
    }

    // Called with the service's mutex held.
    void update_stats() {
        m_service.m_stats.queued = m_service.m_queue->entries().size();
        m_service.m_stats.queued_bytes = m_service.m_queue->bytes();
    }

    WebhookService& m_service;
    HttpPoster m_poster;
    std::map<std::string, UrlState> m_urls;
};

WebhookService::WebhookService(std::filesystem::path queue_dir, const Clock& clock,
                               std::string version)
    : m_clock(clock), m_version(std::move(version)),
      m_queue(std::make_unique<DeliveryQueue>(std::move(queue_dir))) {
    m_stats.queued = m_queue->entries().size();
    m_stats.queued_bytes = m_queue->bytes();
    m_thread = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

WebhookService::~WebhookService() {
    m_thread.request_stop();
    m_wake.notify_all();
}

void WebhookService::run(const std::stop_token& stop) {
    try {
        Sender(*this).loop(stop);
    } catch (const std::exception& e) {
        spdlog::critical("webhook sender stopped: {}; deliveries wait in the queue until the "
                         "next start",
                         e.what());
    }
}

void WebhookService::configure(std::vector<WebhookTarget> targets) {
    std::lock_guard lock(m_mutex);
    m_targets = std::make_shared<const std::vector<WebhookTarget>>(std::move(targets));
    m_wake.notify_all();
}

void WebhookService::publish(const Event& event) {
    std::lock_guard lock(m_mutex);
    if (!m_targets) {
        return;
    }
    for (const auto& target : *m_targets) {
        if (std::find(target.events.begin(), target.events.end(), event.kind) ==
            target.events.end()) {
            continue;
        }
        const std::string id = random_hex(16);
        m_inbox.push_back({0, target.url, event_name(event), id, event.time,
                           build_payload(event, id, m_version)});
    }
    m_wake.notify_all();
}

WebhookService::Stats WebhookService::stats() const {
    std::lock_guard lock(m_mutex);
    return m_stats;
}

} // namespace mv::notify
