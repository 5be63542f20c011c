#pragma once
// One replication pass: list the vault and the replica, upload what is missing — packs
// first, manifests only once every pack of the pass is stored, histories last — so the
// replica never lists a version whose data is missing (docs/REPLICAS.md). The queue of
// pending uploads is the vault itself: a pass after a restart or SIGKILL finds what is
// still missing and sends it; nothing else needs to be remembered, and memory grows
// with the number of files, not with their bytes.

#include <atomic>
#include <filesystem>

#include "replica/sync_plan.hpp"
#include "s3/transfer_pool.hpp"

namespace mv::replica {

struct PassReport {
    SyncPlan before; ///< what was pending when the pass started
    std::size_t uploaded_files = 0;
    std::uint64_t uploaded_bytes = 0;
    bool complete = false;      ///< false: a file vanished (a collection); run again
    RemoteListing remote_after; ///< the replica's listing plus what the pass uploaded
};

/// The replica refuses to be changed: it holds another vault (code conflict), or one of
/// its manifests is damaged (code corrupt; retention.hpp).
class ReplicaRefused : public Error {
public:
    using Error::Error;
};

/// Throws ReplicaRefused(conflict) when the replica's vault.json is not the vault's own
/// (another vault's replica under the same bucket and prefix): nothing may be uploaded or
/// removed there. A replica without vault.json is a new one.
void check_same_vault(const std::filesystem::path& vault_root, s3::Client& client);

/// Everything below `key_prefix` on the replica (key → size).
RemoteListing list_replica(s3::Client& client);

/// What is pending, without uploading (for status).
SyncPlan pending(const std::filesystem::path& vault_root, s3::Client& client);

/// Runs one pass. Throws s3::S3Error (classified) or Error (a local file is unreadable or
/// does not hash to its name) at the first failure; what was uploaded stays uploaded.
PassReport sync_once(const std::filesystem::path& vault_root, s3::TransferPool& pool);

} // namespace mv::replica
