#pragma once
// vault.json, which marks a folder as a vault and says its format (docs/FORMAT.md).

#include <string>

namespace mv::vault {

/// The vault format this modelvault writes: 2 (chunks, packs, manifests). Format 1
/// (one archive per version) is upgraded when the vault is opened.
inline constexpr int k_vault_format = 2;

/// The content of vault.json for a vault created (or upgraded) at `created`.
std::string vault_marker(const std::string& created);

} // namespace mv::vault
