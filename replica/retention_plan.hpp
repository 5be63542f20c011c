#pragma once
// Retention on a replica (docs/REPLICAS.md, "Retention"): which of the replica's versions,
// packs and index files may go, decided from listings and index contents alone (pure, so
// it is unit-tested without a server). A version the vault no longer has stays on the
// replica for `keep_removed` after the first pass that found it gone; a pack goes only
// when the vault no longer has it and no version the replica keeps needs a chunk of it
// that no other pack holds.

#include <chrono>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "replica/sync_plan.hpp"
#include "store/digest.hpp"

namespace mv::replica {

using ChunkSet = std::unordered_set<store::ChunkId, store::DigestHash>;

/// Manifest keys on the replica the vault no longer has → when a pass first found that.
using RemovedSince = std::map<std::string, SystemTime>;

struct RemovalPlan {
    std::vector<std::string> remove;     ///< manifests whose keep_removed has passed
    std::vector<std::string> signatures; ///< theirs, and any whose manifest is gone everywhere
    RemovedSince removed_since;          ///< the others the vault no longer has
};

/// Which of the replica's manifests go now. `previous` is the last pass's removed_since;
/// a manifest the vault has again (a recovery) is forgotten.
RemovalPlan plan_removals(const std::vector<VaultFile>& local, const RemoteListing& remote,
                          const RemovedSince& previous, SystemTime now,
                          std::chrono::milliseconds keep_removed);

/// The replica's packs and index files that the vault no longer has (only those can go).
struct Orphans {
    std::vector<std::string> packs;   ///< pack keys
    std::vector<std::string> indexes; ///< index keys
    bool empty() const { return packs.empty() && indexes.empty(); }
};
Orphans find_orphans(const std::vector<VaultFile>& local, const RemoteListing& remote);

/// What the replica's own index files say about the orphans.
struct OrphanContents {
    /// pack key → its chunks. An orphan pack no index file lists is never removed.
    std::unordered_map<std::string, std::vector<store::ChunkId>> pack_chunks;
    /// index key → the pack keys it lists. An index file that could not be read stays.
    std::unordered_map<std::string, std::vector<std::string>> index_packs;
};

struct CollectionPlan {
    std::vector<std::string> packs;   ///< removed first
    std::vector<std::string> indexes; ///< then index files that list no orphan pack that stays
};

/// `referenced`: the chunks of every manifest the replica keeps. `covered`: the chunks in
/// packs the vault has and the replica holds (those packs are never removed). An orphan
/// pack goes when every referenced chunk in it is covered.
CollectionPlan plan_collection(const Orphans& orphans, const OrphanContents& contents,
                               const RemoteListing& remote, const ChunkSet& referenced,
                               const ChunkSet& covered);

/// "packs/ab/ab12…" for a pack id.
std::string pack_key(const store::PackId& id);

} // namespace mv::replica
