#pragma once
// The daemon's off-site replicas (docs/REPLICAS.md): one replica::Replicator per entry of
// `replicas`, woken after every commit, shown by `status`. Also the start-up check of
// their locations and the recovery of a vault from one (`modelvaultd --recover-from`).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "notify/event_sink.hpp"
#include "replica/replicator.hpp"
#include "util/time.hpp"

namespace mv::daemon {

class ReplicaSet {
public:
    /// Starts a replicator per replica for the vault at `vault` (its state files go to
    /// `state_dir`/replicas/). Throws Error(invalid_config) for a location S3 refuses.
    /// `events` receives a replica_failed event once per distinct failure (it is called
    /// from the replicators' threads; may be null).
    /// `sealing` is the vault's: it opens an encrypted vault's manifests and index files
    /// for retention on the replicas.
    ReplicaSet(const std::vector<config::Replica>& replicas, const std::filesystem::path& vault,
               const store::Sealing& sealing, const std::filesystem::path& state_dir,
               const Clock& clock, notify::EventSink* events);

    /// After a commit every replica uploads the new version soon; after a removal it
    /// starts the version's keep_removed (docs/REPLICAS.md). Never blocks.
    void wake(replica::WakeReason reason = replica::WakeReason::committed);
    /// `status`'s "replicas": per replica, what is pending and the last success and error.
    nlohmann::json status(SystemTime now) const;

private:
    std::vector<std::unique_ptr<replica::Replicator>> m_replicators;
};

/// The s3::Location of `replica`, checked; throws Error(invalid_config) naming the replica.
s3::Location location_of(const config::Replica& replica);

/// `modelvaultd --recover-from NAME`: downloads replica NAME of `config` into the
/// configured vault folder, which must not exist or be empty. Prints what it did; returns
/// the exit code.
int recover_vault(const config::Config& config, const std::string& name);

} // namespace mv::daemon
