#pragma once
// The vault's identity in the shared catalog (docs/catalog.md, "Tables"): rows are keyed
// by it, so several daemons' vaults share one database without clashing, and a vault
// keeps its rows when its machine is renamed. A random id made once and kept in
// VAULT/state/catalog/vault-id.

#include <filesystem>
#include <string>

namespace mv::catalog {

/// The id stored in `file`, or a new one (32 hex digits) written there atomically.
/// Throws Error(io) when it cannot be read or written, Error(corrupt) when the file does
/// not hold an id.
std::string load_or_create_vault_id(const std::filesystem::path& file);

} // namespace mv::catalog
