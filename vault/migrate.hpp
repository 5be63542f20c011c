#pragma once
// Upgrading a format-1 vault (one `.tar.zst` archive and one sidecar manifest per version)
// to format 2, when the daemon opens it (docs/FORMAT.md "Migration"). Every version keeps
// its number, sequence, creation time, trigger, reason, tags, note, metrics and files;
// the histories stay where they are. One version at a time: its archive is unpacked with
// every hash checked, its files stored as chunks, its format-2 manifest committed, and only
// then its archive and sidecar removed — so a crash at any point loses nothing, and the
// next start resumes. vault.json says format 2 once no format-1 version is left.

#include <filesystem>
#include <functional>
#include <string>

namespace mv::vault {

class Vault;
struct Manifest;

/// Migrates every format-1 version of `vault` (whose store and catalog are open). A
/// version whose sidecar or archive is damaged is moved, untouched, to `VAULT/legacy/`
/// and named in the log. Throws Fatal when the vault cannot be upgraded (I/O failure).
void migrate_format1(Vault& vault, const std::function<void(const std::string& status)>& progress);

/// Stores the files of version `old`, unpacked below `staging` at their stored paths, as
/// chunks of `vault` and commits a manifest with every other field of `old` (number,
/// sequence, times, trigger, reason, tags, note, metrics, each file's mode and times).
/// Throws Error(corrupt) when a file does not match `old`. Used by the upgrade and by the
/// conversion to an encrypted vault (encrypt_vault.hpp).
void store_unpacked_version(Vault& vault, const Manifest& old,
                            const std::filesystem::path& staging);

} // namespace mv::vault
