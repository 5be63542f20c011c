#pragma once
// vault.json, which marks a folder as a vault and says its format (docs/FORMAT.md).

#include <string>

namespace mv::vault {

/// The vault format this modelvault writes: 2 (chunks, packs, manifests). Format 1
/// (one archive per version) is upgraded when the vault is opened.
inline constexpr int k_vault_format = 2;

/// The content of vault.json for a vault created (or upgraded) at `created`; an encrypted
/// vault's says so (`"encrypted": true`) and names chunks by HMAC-SHA256.
std::string vault_marker(const std::string& created, bool encrypted = false);

} // namespace mv::vault
