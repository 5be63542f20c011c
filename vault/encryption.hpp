#pragma once
// Opening an encrypted vault (docs/FORMAT.md, "Encryption"): vault.json says whether it
// is encrypted; VAULT/keys/ holds the key records and the signing key. The daemon never
// starts on a vault it cannot open as its marker says: a wrong, unreadable or missing key
// file, or a key file for a plain vault, ends the start with a message naming the file
// and what to do — and changes nothing in the vault.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "crypto/vault_keys.hpp"

namespace mv::vault {

/// VAULT/keys
std::filesystem::path keys_dir(const std::filesystem::path& root);

/// The keys of vault `root`. `encrypted` is what its vault.json says (false for a new
/// vault); `key_file` is `encryption.key_file` (empty when not set). Returns nullopt for a
/// plain vault. For a new vault (`fresh`) with a key file, makes its keys. Throws Fatal
/// naming the vault or the key file, and what to do, when the two do not fit or the key
/// does not open the vault. Logs a warning for a key file others may read.
std::optional<crypto::VaultKeys> open_vault_encryption(const std::filesystem::path& root,
                                                       bool encrypted, bool fresh,
                                                       const std::filesystem::path& key_file,
                                                       const std::string& created,
                                                       const std::string& host);

} // namespace mv::vault
