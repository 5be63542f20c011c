// Signals and reloading the config (docs/SERVICE.md, "Talking to systemd"): SIGHUP and
// `modelvaultctl reload` apply a changed config file to the running daemon, or reject it
// whole and keep the running configuration.
#include <csignal>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/daemon.hpp"
#include "daemon/logging.hpp"
#include "util/error.hpp"

namespace mv::daemon {

void Daemon::wait_for_signals() {
    m_signals.add(SIGTERM);
    m_signals.add(SIGINT);
    m_signals.add(SIGHUP);
    m_signals.async_wait([this](const boost::system::error_code& error, int signal) {
        if (error) {
            return;
        }
        if (signal == SIGHUP) {
            try {
                reload();
            } catch (const config::ConfigError&) {
                // reload() logged every problem.
            } catch (const std::exception& e) {
                spdlog::error("reload rejected: {}", e.what());
            }
            wait_for_signals();
            return;
        }
        begin_stop(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    });
}

void Daemon::reload() {
    try {
        apply_config_file();
    } catch (const config::ConfigError& e) {
        // Logged here, so that both ways of reloading (SIGHUP, `modelvaultctl reload`) put
        // every problem in the journal at priority err (docs/SERVICE.md, "Talking to systemd").
        std::vector<std::string> problems;
        for (const auto& problem : e.problems()) {
            problems.push_back(problem.to_string());
            spdlog::error("reload: {}", problems.back());
        }
        spdlog::error("reload rejected: the running configuration stays in effect");
        m_backups->note_error(fmt::format("reload of {} rejected, the running configuration "
                                          "stays in effect: {}",
                                          m_config.source.string(), fmt::join(problems, "; ")));
        throw;
    }
}

void Daemon::apply_config_file() {
    if (m_config.source.empty()) {
        throw Error("there is no config file to reload (the daemon runs on built-in defaults)",
                    ErrorCode::invalid_argument);
    }
    m_notifier.reloading();
    // Whatever happens below, systemd must hear READY=1 again (success or rejection).
    struct ReadyAgain {
        const sd::Notifier& notifier;
        ~ReadyAgain() { notifier.ready(); }
    } ready_again{m_notifier};
    config::Config fresh = config::load_config(m_config.source);
    if (fresh.vault != m_config.vault) {
        spdlog::warn("reload: `vault` changed to {}; that takes a restart, still using {}",
                     fresh.vault.string(), m_config.vault.string());
        fresh.vault = m_config.vault;
    }
    if (fresh.encryption.has_value() != m_config.encryption.has_value() ||
        (fresh.encryption && fresh.encryption->key_file != m_config.encryption->key_file)) {
        spdlog::warn("reload: `encryption` changed; the vault's key is read at start only, a "
                     "restart applies it");
        fresh.encryption = m_config.encryption;
    }
    if (fresh.socket != m_config.socket) {
        spdlog::warn("reload: `socket` changed to {}; that takes a restart, still using {}",
                     fresh.socket.string(), m_config.socket.string());
        fresh.socket = m_config.socket;
    }
    if (fresh.http.has_value() != m_config.http.has_value()) {
        spdlog::warn("reload: `http` was {}; that takes a restart",
                     fresh.http ? "added" : "removed");
        fresh.http = m_config.http;
    }
    if (fresh.catalog != m_config.catalog) {
        // Backups may be reporting to the catalog right now (docs/catalog.md).
        spdlog::warn("reload: `catalog` changed; that takes a restart");
        fresh.catalog = m_config.catalog;
    }
    // Hooks, webhooks, D-Bus, the HTTP tokens and TLS files, and replica locations first:
    // when one of them cannot be used, nothing changes.
    std::optional<HttpApi::Files> http_files;
    if (m_http && fresh.http) {
        try {
            http_files = m_http->read_files(*fresh.http);
        } catch (const Error& e) {
            // A file the config names is wrong, not the request (ctl exits 1, not 2).
            throw Error(fmt::format("the new configuration was rejected, the running one stays "
                                    "in effect: {}",
                                    e.what()),
                        ErrorCode::invalid_config);
        }
    }
    for (const auto& replica : fresh.replicas) {
        location_of(replica); // a location S3 refuses rejects the reload
    }
    m_notifications->apply(fresh, *m_bus_backend);
    if (fresh.replicas != m_config.replicas) {
        // A transfer under way is abandoned; the new replicators find what is missing.
        m_replicas.reset();
        m_replicas = make_replicas(fresh);
    }
    if (http_files) {
        m_http->use_files(std::move(*http_files), *fresh.http);
    }
    m_config = std::move(fresh);
    set_log_level(m_config.log_level);
    m_vault->set_compression(m_config.compression, m_config.verify_after_write);
    m_access =
        std::make_unique<AccessPolicy>(m_config.access, ::getuid(), m_config.source.string());
    m_backups->set_watches(m_config.watches);
    apply_watches();
    apply_schedules();
    apply_reports();
    on_watcher_activity();
    spdlog::info("configuration reloaded from {}: {} watch(es)", m_config.source.string(),
                 m_config.watches.size());
    m_notifier.status(status_line());
}

} // namespace mv::daemon
