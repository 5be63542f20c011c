#pragma once
// Which files of a vault (format 2, docs/FORMAT.md) a replica holds, and their order.
// A replica is the vault's files under the same names: `vault.json`, an encrypted vault's
// `keys/`, the packs and their index files, the manifests, and each model's
// `history.jsonl`. The index files let a
// reader of the replica find a chunk's pack without reading every pack's header; a
// recovery leaves them out (the store rebuilds them from the packs). docs/REPLICAS.md
// explains the order.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "util/time.hpp"

namespace mv::replica {

/// What a file is to a replica, in upload order.
enum class FileRole {
    data,     ///< vault.json, keys/, packs, index files: uploaded first
    manifest, ///< a version: uploaded only after every data file of the same pass
    history,  ///< a model's history.jsonl: appended, uploaded again when it grew
};

struct VaultFile {
    std::string key; ///< path relative to the vault, '/'-separated ("packs/ab/ab12…")
    std::uint64_t size = 0;
    FileRole role = FileRole::data;
    SystemTime modified{}; ///< for the age of pending versions
};

/// The replicated files of the vault at `root`, manifests first, then data (vault.json,
/// packs, index files), then histories. Manifests are listed first on purpose: a version
/// is committed after its packs and their index file, so every pack a listed manifest
/// needs is already on disk when the packs are listed afterwards. Throws Error when a
/// folder cannot be read.
std::vector<VaultFile> list_vault_files(const std::filesystem::path& root);

/// True for keys a replica may hold (the roles above), so that a recovery never writes
/// anything else (no "../", no tmp/ or state/) into a vault.
bool is_replicated_key(const std::string& key);

/// The SHA-256 (64 hex) a content-addressed key must hash to, or "" for keys that are
/// not named by their content (vault.json, histories).
std::string expected_sha256(const std::string& key);

} // namespace mv::replica
