#include "daemon/notifications.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/disk_space.hpp"
#include "metrics/textfile.hpp"
#include "vault/manifest.hpp"

namespace mv::daemon {

namespace {

using namespace std::chrono_literals;

// How often the metrics file is rewritten and free space looked at, and how soon after
// an event the metrics file follows.
constexpr auto k_tick = 15s;
constexpr auto k_soon = 1s;

std::vector<std::string> all_triggers() {
    std::vector<std::string> triggers;
    for (const auto trigger :
         {vault::Trigger::change, vault::Trigger::schedule, vault::Trigger::improvement,
          vault::Trigger::steps, vault::Trigger::manual, vault::Trigger::import,
          vault::Trigger::rollback}) {
        triggers.emplace_back(vault::to_string(trigger));
    }
    return triggers;
}

// The reasons a backup fails with (the protocol's error codes a backup can end in).
std::vector<std::string> failure_reasons() {
    std::vector<std::string> reasons;
    for (const auto code :
         {ErrorCode::io, ErrorCode::corrupt, ErrorCode::conflict, ErrorCode::invalid_argument,
          ErrorCode::unavailable, ErrorCode::internal}) {
        reasons.emplace_back(to_string(code));
    }
    return reasons;
}

std::string host_name() {
    char name[256] = {};
    return ::gethostname(name, sizeof name - 1) == 0 ? name : "localhost";
}

} // namespace

Notifications::Notifications(boost::asio::io_context& io, std::filesystem::path vault,
                             const Clock& clock, StateSource state)
    : m_io(io), m_vault(std::move(vault)), m_clock(clock), m_state(std::move(state)),
      m_host(host_name()), m_audit(m_vault / "state" / "audit.jsonl"),
      m_recorder(all_triggers(), failure_reasons()),
      m_webhooks(std::make_unique<notify::WebhookService>(m_vault / "state" / "webhooks", clock,
                                                          MV_VERSION)),
      m_tick(io), m_soon(io) {}

Notifications::~Notifications() = default;

void Notifications::apply(const config::Config& config, sd::BusBackend& bus_backend) {
    // Everything that can fail first; then the new settings take effect together.
    notify::HookIdentity identity = notify::resolve_hook_identity(config.hooks.user, ::getuid());
    std::vector<notify::WebhookTarget> targets = notify::load_webhook_targets(config.webhooks);
    const std::string bus_name = config.dbus ? config.dbus->bus : "";
    std::unique_ptr<sd::BusService> bus;
    const bool new_bus = bus_name != m_bus_name || (m_bus && !m_bus->connected());
    if (new_bus && !bus_name.empty()) {
        m_bus.reset(); // release the name before owning it again on the same bus
        m_bus_name.clear();
        bus = std::make_unique<sd::BusService>(m_io, bus_name, bus_backend);
    }
    m_hooks.configure(config.hooks, config.watches, std::move(identity));
    m_webhooks->configure(std::move(targets));
    if (new_bus) {
        m_bus = std::move(bus);
        m_bus_name = bus_name;
    } else if (m_bus) {
        m_bus->watches_changed();
    }
    m_metrics_file = config.metrics ? std::optional(config.metrics->textfile) : std::nullopt;
    m_metrics_error.clear();
    m_warn_free_below = config.warn_free_below;
    check_disk();
    write_metrics();
    arm_tick();
}

void Notifications::stop() {
    m_tick.cancel();
    m_soon.cancel();
}

void Notifications::publish(notify::Event event) {
    event.host = m_host;
    m_recorder.record(event);
    m_hooks.publish(event);
    m_webhooks->publish(event);
    boost::asio::post(m_io, [this, event = std::move(event)] { on_io_thread(event); });
}

void Notifications::on_io_thread(const notify::Event& event) {
    if (m_bus && event.kind == config::NotifyEvent::backup_created) {
        m_bus->version_created(event.model, event.version, event.trigger);
    } else if (m_bus && event.kind == config::NotifyEvent::backup_failed) {
        m_bus->backup_failed(event.model, event.error);
    }
    if (event.kind == config::NotifyEvent::backup_created) {
        check_disk();
    }
    write_metrics_soon();
}

void Notifications::arm_tick() {
    m_tick.expires_after(k_tick);
    m_tick.async_wait([this](const boost::system::error_code& error) {
        if (!error) {
            check_disk();
            write_metrics();
            arm_tick();
        }
    });
}

void Notifications::check_disk() {
    const auto free = free_bytes(m_vault);
    if (!free) {
        return;
    }
    const bool was_low = m_disk_low.load();
    const bool low = disk_low_now(was_low, *free, m_warn_free_below);
    m_disk_low = low;
    if (low && !was_low) {
        const std::string reason =
            fmt::format("{} free in the vault's file system, below warn_free_below ({})",
                        format_bytes(*free), format_bytes(*m_warn_free_below));
        spdlog::warn("vault {}: {}; backups fail once a version no longer fits (prune old "
                     "versions or make room)",
                     m_vault.string(), reason);
        notify::Event event;
        event.kind = config::NotifyEvent::disk_low;
        event.time = m_clock.now();
        event.path = m_vault.string();
        event.free_bytes = *free;
        event.threshold_bytes = *m_warn_free_below;
        event.reason = reason;
        publish(std::move(event));
    } else if (was_low && !low) {
        spdlog::info("vault {}: {} free again, no longer below warn_free_below", m_vault.string(),
                     format_bytes(*free));
    }
}

std::string Notifications::metrics_text() const {
    metrics::DaemonState state = m_state();
    state.warn_free_below = m_warn_free_below;
    state.disk_low = m_disk_low.load();
    const auto hooks = m_hooks.stats();
    state.hook_runs = hooks.runs;
    state.hooks_dropped = hooks.dropped;
    const auto webhooks = m_webhooks->stats();
    state.webhook_deliveries = webhooks.finished;
    state.webhook_failed_attempts = webhooks.failed_attempts;
    state.webhook_queued = webhooks.queued;
    state.webhook_queued_bytes = webhooks.queued_bytes;
    return metrics::metrics_text(m_recorder.counts(), state);
}

void Notifications::write_metrics() {
    if (!m_metrics_file) {
        return;
    }
    const auto written = metrics::write_textfile(*m_metrics_file, metrics_text());
    if (!written && written.error() != m_metrics_error) {
        spdlog::error("metrics: {}; check that the folder exists and the daemon may write there "
                      "(ReadWritePaths= under systemd, docs/SERVICE.md)",
                      written.error());
    }
    m_metrics_error = written ? std::string() : written.error();
}

void Notifications::write_metrics_soon() {
    if (!m_metrics_file || m_metrics_soon) {
        return;
    }
    m_metrics_soon = true;
    m_soon.expires_after(k_soon);
    m_soon.async_wait([this](const boost::system::error_code& error) {
        m_metrics_soon = false;
        if (!error) {
            write_metrics();
        }
    });
}

Notifications::Summary Notifications::summary() const {
    return {m_disk_low.load(), m_warn_free_below, m_bus_name,
            m_metrics_file,    m_hooks.stats(),   m_webhooks->stats()};
}

} // namespace mv::daemon
