#pragma once
// Manifest files of a format-2 vault: `manifests/<SHA-256 of the file>.json`, written
// once and never changed (docs/FORMAT.md "Manifests"). A file whose bytes do not hash to
// its name is damaged.

#include <filesystem>

#include "crypto/signing.hpp"
#include "store/sealing.hpp"
#include "util/expected.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// The text a manifest file holds (indented JSON and a newline).
std::string manifest_text(const Manifest& manifest);

/// VAULT/manifests/<hex>.json
std::filesystem::path manifest_file(const std::filesystem::path& root, const store::Digest& id);

/// Writes `manifest` (with its chunk lists) durably — temporary file in `tmp`, fsync,
/// rename, fsync the folder — and sets manifest.object to its name. An encrypted vault
/// stores the text sealed (`sealing`, docs/FORMAT.md "Encryption") and, with `signer`,
/// writes the manifest's signature first (signatures/, docs/FORMAT.md "Signatures"): a
/// crash in between leaves a signature without a manifest, which the next open removes.
Result<void> write_manifest_file(const std::filesystem::path& root,
                                 const std::filesystem::path& tmp, Manifest& manifest,
                                 const store::Sealing& sealing = {},
                                 const crypto::SigningKey* signer = nullptr);

/// The manifest text of a manifest file's bytes: opened when the vault is encrypted; the
/// failure says the file does not authenticate.
Result<std::string> open_manifest_bytes(std::string_view stored, const store::Sealing& sealing);

/// The id a manifest file's name carries (`<64 hex>.json`), or nullopt.
std::optional<store::Digest> manifest_id_of_name(std::string_view name);

/// What a parsed manifest of a format-2 vault must be beyond valid JSON: format 2 or
/// later, every file with its whole list of chunks.
Result<void> check_format2_manifest(const Manifest& manifest);

/// Reads the manifest file `file`, checking that its bytes hash to its name.
Result<Manifest> read_manifest_file(const std::filesystem::path& file,
                                    const store::Sealing& sealing = {});

} // namespace mv::vault
