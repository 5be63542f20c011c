#pragma once
// Upgrading a format-1 vault (one `.tar.zst` archive and one sidecar manifest per version)
// to format 2, when the daemon opens it (docs/FORMAT.md "Migration"). Every version keeps
// its number, sequence, creation time, trigger, reason, tags, note, metrics and files;
// the histories stay where they are. One version at a time: its archive is unpacked with
// every hash checked, its files stored as chunks, its format-2 manifest committed, and only
// then its archive and sidecar removed — so a crash at any point loses nothing, and the
// next start resumes. vault.json says format 2 once no format-1 version is left.

#include <functional>
#include <string>

namespace mv::vault {

class Vault;

/// Migrates every format-1 version of `vault` (whose store and catalog are open). A
/// version whose sidecar or archive is damaged is moved, untouched, to `VAULT/legacy/`
/// and named in the log. Throws Fatal when the vault cannot be upgraded (I/O failure).
void migrate_format1(Vault& vault, const std::function<void(const std::string& status)>& progress);

} // namespace mv::vault
