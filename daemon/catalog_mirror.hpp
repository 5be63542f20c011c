#pragma once
// The daemon's side of the shared catalog (docs/catalog.md): tells the vault to report
// every committed version, revision and removal, turns each into an event in the
// catalog's outbox (state/catalog/), and queues the whole vault once at start (a "sync":
// the catalog catches up with versions made before it was configured, and with a change
// a crash kept out of the outbox). Shown by `status` as "catalog".

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/sender.hpp"
#include "config/model.hpp"
#include "util/time.hpp"
#include "vault/vault.hpp"

namespace mv::daemon {

class CatalogMirror {
public:
    /// Starts the sender and queues the sync; throws Error(io) when the outbox or the
    /// vault id cannot be written.
    CatalogMirror(const config::Catalog& config, vault::Vault& vault, const Clock& clock);
    ~CatalogMirror();
    CatalogMirror(const CatalogMirror&) = delete;
    CatalogMirror& operator=(const CatalogMirror&) = delete;

    /// `status`'s "catalog": the database (without the password), the vault id, what
    /// waits in the outbox, the last success and error.
    nlohmann::json status() const;

private:
    void push(const nlohmann::json& event) noexcept;

    vault::Vault& m_vault;
    const Clock& m_clock;
    std::string m_database;
    std::string m_vault_id;
    std::uint64_t m_observer = 0; ///< its registration with the vault
    std::unique_ptr<catalog::Sender> m_sender;
    std::atomic<std::uint64_t> m_unrecorded{0}; ///< events the outbox could not store
};

} // namespace mv::daemon
