#pragma once
// The daemon's one event sink (docs/NOTIFICATIONS.md): every event goes to the hooks, the
// webhooks, the metrics recorder and — on the I/O thread — the D-Bus signals. It also
// owns the audit log, writes the Prometheus textfile, and watches the vault's free space
// against warn_free_below. Built from the config at start and on reload, all or nothing.

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "audit/log.hpp"
#include "config/model.hpp"
#include "metrics/recorder.hpp"
#include "metrics/report.hpp"
#include "notify/event_sink.hpp"
#include "notify/hook_service.hpp"
#include "notify/webhook_service.hpp"
#include "systemd/bus_service.hpp"
#include "util/time.hpp"

namespace mv::daemon {

class Notifications final : public notify::EventSink {
public:
    /// The daemon's side of the metrics: counters, queues, the vault (I/O thread).
    using StateSource = std::function<metrics::DaemonState()>;

    /// Opens the audit log (state/audit.jsonl) and the webhook queue (state/webhooks/) of
    /// the vault at `vault`. Throws Error when they cannot be used.
    Notifications(boost::asio::io_context& io, std::filesystem::path vault, const Clock& clock,
                  StateSource state);
    ~Notifications() override;
    Notifications(const Notifications&) = delete;
    Notifications& operator=(const Notifications&) = delete;

    /// Takes the hooks, webhooks, metrics, dbus and warn_free_below of `config` (I/O
    /// thread). Throws Error (and changes nothing) when one cannot be used: hooks.user,
    /// an unreadable secret_file, a D-Bus name that cannot be owned.
    void apply(const config::Config& config, sd::BusBackend& bus_backend);
    /// Cancels the timers (the daemon is stopping).
    void stop();

    void publish(notify::Event event) override;

    audit::AuditLog& audit() { return m_audit; }
    /// The Prometheus text as of now (I/O thread).
    std::string metrics_text() const;
    /// For `status`: low on space, the threshold, the bus served, hooks and webhooks.
    struct Summary {
        bool disk_low = false;
        std::optional<std::uint64_t> warn_free_below;
        std::string dbus; ///< "" when off
        std::optional<std::filesystem::path> metrics_file;
        notify::HookService::Stats hooks;
        notify::WebhookService::Stats webhooks;
    };
    Summary summary() const;

private:
    void on_io_thread(const notify::Event& event);
    void arm_tick();
    void check_disk();
    void write_metrics();
    void write_metrics_soon();

    boost::asio::io_context& m_io;
    std::filesystem::path m_vault;
    const Clock& m_clock;
    StateSource m_state;
    std::string m_host;
    audit::AuditLog m_audit;
    metrics::Recorder m_recorder;
    notify::HookService m_hooks;
    std::unique_ptr<notify::WebhookService> m_webhooks;
    std::unique_ptr<sd::BusService> m_bus;
    std::string m_bus_name;
    std::optional<std::filesystem::path> m_metrics_file;
    std::string m_metrics_error; ///< the last one logged, not to repeat it every tick
    std::optional<std::uint64_t> m_warn_free_below;
    std::atomic<bool> m_disk_low{false};
    bool m_metrics_soon = false;
    boost::asio::steady_timer m_tick;
    boost::asio::steady_timer m_soon;
};

} // namespace mv::daemon
