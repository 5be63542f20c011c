#include "daemon/catalog_mirror.hpp"

#include <spdlog/spdlog.h>

#include "catalog/event.hpp"
#include "catalog/vault_id.hpp"
#include "util/error.hpp"

namespace mv::daemon {

namespace {

using json = nlohmann::json;

json time_or_null(const std::optional<SystemTime>& time) {
    return time ? json(format_utc(*time)) : json(nullptr);
}

std::vector<vault::Manifest> every_version(const vault::Vault& vault) {
    std::vector<vault::Manifest> all;
    for (const auto& model : vault.models()) {
        auto versions = vault.versions(model);
        all.insert(all.end(), std::make_move_iterator(versions.begin()),
                   std::make_move_iterator(versions.end()));
    }
    return all;
}

} // namespace

CatalogMirror::CatalogMirror(const config::Catalog& config, vault::Vault& vault, const Clock& clock)
    : m_vault(vault), m_clock(clock), m_database(config.postgresql) {
    const auto dir = vault.state_dir() / "catalog";
    m_vault_id = catalog::load_or_create_vault_id(dir / "vault-id");
    catalog::SenderOptions options;
    options.uri = config.postgresql;
    options.password_file = config.password_file;
    options.outbox = dir / "outbox";
    m_sender = std::make_unique<catalog::Sender>(std::move(options), clock);
    // Before the observer: the sync holds the vault as it is, later events come after it.
    m_sender->push(catalog::sync_event(m_vault_id, every_version(vault)));
    m_observer = vault.add_observer(
        {[this](const vault::Manifest& manifest) {
             push(catalog::versions_event(m_vault_id, manifest));
         },
         [this](const vault::Manifest& manifest, const std::string& reason) {
             push(catalog::removal_event(m_vault_id, manifest, reason, m_clock.now()));
         },
         {}});
}

CatalogMirror::~CatalogMirror() {
    m_vault.remove_observer(m_observer);
}

void CatalogMirror::push(const json& event) noexcept {
    // The change is already in the vault: a full disk must not fail it. The next start's
    // sync brings the catalog up to date.
    try {
        m_sender->push(event);
    } catch (const std::exception& error) {
        ++m_unrecorded;
        spdlog::error("catalog: {}; the change reaches the catalog at the next start",
                      error.what());
    }
}

json CatalogMirror::status() const {
    const auto s = m_sender->status();
    return {{"database", m_database},
            {"vault_id", m_vault_id},
            {"connected", s.connected},
            {"schema_version", s.schema_version == 0 ? json(nullptr) : json(s.schema_version)},
            {"pending_events", s.pending_events},
            {"delivered_events", s.delivered_events},
            {"rejected_events", s.rejected_events},
            {"unrecorded_events", m_unrecorded.load()},
            {"last_success", time_or_null(s.last_success)},
            {"last_attempt", time_or_null(s.last_attempt)},
            {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)}};
}

} // namespace mv::daemon
