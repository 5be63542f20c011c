#pragma once
// The changes the shared catalog mirrors (docs/catalog.md, "Events"), as JSON values: the
// outbox stores them as they are and statements.hpp turns them into SQL. Three kinds:
//   {"kind": "versions", "vault": ID, "rows": [ROW…]}   new versions and revisions
//   {"kind": "removal", "vault": ID, "host": H, "model": M, "version": V, "reason": R,
//    "removed": TIME}
//   {"kind": "sync", "vault": ID, "rows": [ROW…]}       the whole vault at a start
// A ROW is one version: model, version, watch, host, sequence, revision, created,
// trigger, reason, metrics, params, tags, note, notes, size_bytes, stored_bytes.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/time.hpp"
#include "vault/manifest.hpp"

namespace mv::catalog {

/// The row of `manifest` (a version and its notes).
nlohmann::json version_row(const vault::Manifest& manifest);

/// A new version or revision of `vault_id`.
nlohmann::json versions_event(const std::string& vault_id, const vault::Manifest& manifest);

/// `manifest` was removed from `vault_id` at `removed` for `reason`.
nlohmann::json removal_event(const std::string& vault_id, const vault::Manifest& manifest,
                             const std::string& reason, SystemTime removed);

/// Every version `vault_id` holds: rows are upserted and the vault's other rows removed.
nlohmann::json sync_event(const std::string& vault_id,
                          const std::vector<vault::Manifest>& manifests);

/// The kind of `event` ("versions", "removal", "sync"), or "" when it has none.
std::string kind_of(const nlohmann::json& event);

} // namespace mv::catalog
