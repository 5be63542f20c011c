#pragma once
// Manifest files of a format-2 vault: `manifests/<SHA-256 of the file>.json`, written
// once and never changed (docs/FORMAT.md "Manifests"). A file whose bytes do not hash to
// its name is damaged.

#include <filesystem>

#include "util/expected.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// The text a manifest file holds (indented JSON and a newline).
std::string manifest_text(const Manifest& manifest);

/// VAULT/manifests/<hex>.json
std::filesystem::path manifest_file(const std::filesystem::path& root, const store::Digest& id);

/// Writes `manifest` (with its chunk lists) durably — temporary file in `tmp`, fsync,
/// rename, fsync the folder — and sets manifest.object to its name.
Result<void> write_manifest_file(const std::filesystem::path& root,
                                 const std::filesystem::path& tmp, Manifest& manifest);

/// Reads the manifest file `file`, checking that its bytes hash to its name.
Result<Manifest> read_manifest_file(const std::filesystem::path& file);

} // namespace mv::vault
