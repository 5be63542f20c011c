#pragma once
// The real modelvaultd with an off-site replica "offsite" on the RADOS Gateway that the
// fixture s3_gateway started: a fresh bucket per test (prefix trainer-1/), the
// credentials in a file, and what the tests read back from the bucket.

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/ceph/gateway.hpp"
#include "tests/integration/daemon_fixture.hpp"

namespace mv::test {

class ReplicaDaemon : public DaemonTest {
protected:
    void SetUp() override;

    void create_bucket();
    void write_credentials(const std::string& secret);
    nlohmann::json replica_status();
    /// A client of the replica (the bucket below its prefix).
    s3::Client replica_client() const;
    /// The objects on the replica whose keys start with `prefix`.
    int objects_on_replica(const std::string& prefix);
    /// Regular files below `folder` of the vault.
    static int files_below(const std::filesystem::path& folder);
    /// The manifests (versions) on the replica.
    int manifests_on_replica() { return objects_on_replica("manifests/"); }
    /// Until the replica holds the `versions` versions and status says it is up to date
    /// (status lags a commit by the moment it takes to wake the replicator).
    bool wait_until_offsite(int versions, std::chrono::seconds timeout = std::chrono::seconds(90));
    /// modelvaultctl --config CONFIG args...: the commands that read the replica itself.
    CommandResult ctl_with_config(const std::vector<std::string>& args);
    /// modelvaultd --recover-from offsite into the (empty or missing) vault folder.
    CommandResult recover();

    Gateway gateway;
    std::string bucket;
    std::filesystem::path credentials_file = dir / "s3-credentials";
};

} // namespace mv::test
