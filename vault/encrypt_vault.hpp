#pragma once
// Converting a plain vault into an encrypted one (docs/FORMAT.md, "Converting a plain
// vault"), by `modelvaultctl vault encrypt` and never silently. Every version is copied,
// every file read back and checked, into a new encrypted vault beside the old one
// (`.<name>.encrypting`), with the histories and state; then one rename(2) with
// RENAME_EXCHANGE swaps the two folders, and the old plain one is removed. A crash before
// the swap leaves the plain vault as it was; after it, the encrypted one, complete (the
// next run removes the plain leftover).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "util/time.hpp"

namespace mv::vault {

struct ConversionResult {
    std::size_t versions = 0;
    std::string key_record;     ///< id of the key record `key_file` got
    std::string public_key;     ///< fingerprint of the new signing key
    bool finished_only = false; ///< the vault was already converted: a leftover was removed
};

/// Encrypts the plain vault `root` with `key_file` (`modelvaultctl key init` makes one).
/// The daemon must be stopped (the vault's lock). `progress` hears one line per version.
/// Throws Fatal or Error naming what to do: a vault already encrypted, damaged manifests
/// (verify and repair first), a format-1 vault, no room.
ConversionResult encrypt_vault(const std::filesystem::path& root,
                               const std::filesystem::path& key_file, const Clock& clock,
                               const std::function<void(const std::string&)>& progress);

/// Where the conversion of `root` builds the new vault (`.<name>.encrypting` beside it).
std::filesystem::path conversion_folder(const std::filesystem::path& root);

} // namespace mv::vault
