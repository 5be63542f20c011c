#pragma once
// Retention on a replica (docs/REPLICAS.md, "Retention"), run by the replicator after a
// complete pass, on its own thread: no upload of this replica is under way meanwhile, and
// nothing the vault still has is ever removed, so a version committed or being committed
// locally loses nothing. Removes, in this order, manifests the vault lost more than
// `keep_removed` ago, then packs no version on the replica needs, then index files that
// list only removed packs: a crash between steps leaves only garbage the next run finds.

#include <chrono>
#include <filesystem>

#include "replica/retention_plan.hpp"
#include "replica/sync.hpp"
#include "s3/transfer_pool.hpp"
#include "store/sealing.hpp"

namespace mv::replica {

/// What retention remembers between passes (kept in the replicator's state file).
struct RetentionState {
    RemovedSince removed_since;
    /// The replica's packs and index files, and the vault's, when a collection last found
    /// nothing more to remove: reading every manifest again is skipped until one changes.
    std::size_t collected = 0;
};

struct RetentionReport {
    std::size_t versions = 0; ///< manifests removed from the replica
    std::size_t packs = 0;
    std::size_t indexes = 0;
    std::uint64_t bytes = 0; ///< freed on the replica
};

/// Runs retention for the vault at `vault_root`, whose replicated files are `local`;
/// `remote` is the replica's listing after the pass (updated as objects go).
/// `state` is read and updated. `sealing` opens an encrypted vault's manifests and index
/// files; without it (or in a plain vault) they are read as they are, and an encrypted
/// vault's packs are not collected. Throws s3::S3Error, or ReplicaRefused when the
/// replica holds another vault (its vault.json differs) or one of its manifests is
/// damaged (then no pack is removed: it may need any of them).
RetentionReport apply_retention(const std::filesystem::path& vault_root,
                                const std::vector<VaultFile>& local, RemoteListing& remote,
                                RetentionState& state, SystemTime now,
                                std::chrono::milliseconds keep_removed, s3::TransferPool& pool,
                                const store::Sealing& sealing = {});

} // namespace mv::replica
