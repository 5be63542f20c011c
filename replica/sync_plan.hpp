#pragma once
// What one replication pass must upload, decided from the vault's files and the
// replica's listing alone (pure, so it is unit-tested without a server).

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "replica/vault_files.hpp"

namespace mv::replica {

/// The replica's objects: key (below the prefix) → size.
using RemoteListing = std::unordered_map<std::string, std::uint64_t>;

struct SyncPlan {
    std::vector<VaultFile> data;              ///< first, in any order (in parallel)
    std::vector<VaultFile> manifests;         ///< after every data file has been stored
    std::vector<VaultFile> histories;         ///< last
    std::size_t pending_versions = 0;         ///< manifests not on the replica
    std::uint64_t pending_bytes = 0;          ///< bytes of every file to upload
    std::optional<SystemTime> oldest_pending; ///< modification time of the oldest such manifest

    bool empty() const { return data.empty() && manifests.empty() && histories.empty(); }
};

/// Files missing on the replica or of another size there (a content-addressed file of
/// another size is damaged and replaced; a history of another size has grown).
SyncPlan plan_sync(const std::vector<VaultFile>& local, const RemoteListing& remote);

} // namespace mv::replica
