// The real modelvaultd with an off-site replica on a real RADOS Gateway: the machine is
// lost and the models come back from the bucket; an outage, a SIGKILL and wrong
// credentials never cost a version, and status says what is wrong (docs/REPLICAS.md).
#include <fstream>

#include <gtest/gtest.h>

#include "s3/client.hpp"
#include "tests/ceph/replica_daemon.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string k_weights = random_bytes(3u << 20, 21);

TEST_F(ReplicaDaemon, TheMachineIsLostAndTheModelsComeBackFromTheBucket) {
    // Two versions are backed up and replicated.
    create_bucket();
    start_daemon();
    write_model("dqn.pkl", pickle(k_weights));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    write_model("dqn.pkl", pickle(k_weights + "v2"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    ASSERT_TRUE(wait_until_offsite(2)) << replica_status().dump() << daemon_log();
    ASSERT_EQ(stop_daemon(), 0);
    // Each version's packs went up with their index file (one per backup).
    EXPECT_GE(objects_on_replica("packs/"), 1);
    EXPECT_EQ(objects_on_replica("index/"), 2);

    // The disk dies: only the config and the credentials are left.
    std::filesystem::remove_all(vault);

    // What the replica holds is listed from the bucket, newest first.
    const auto listed = ctl_with_config({"--json", "list", "--replica", "offsite"});
    ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
    const json there = json::parse(listed.out, nullptr, false);
    ASSERT_TRUE(there.is_object()) << listed.out;
    ASSERT_EQ(there["versions"].size(), 2u) << listed.out;
    EXPECT_EQ(there["versions"][0]["model"], "lab/dqn.pkl");
    EXPECT_EQ(there["versions"][0]["version"], "1.0.1");
    EXPECT_EQ(there["versions"][1]["version"], "1.0.0");
    const auto table =
        ctl_with_config({"list", "lab/dqn.pkl", "--replica", "offsite", "--limit", "1"});
    EXPECT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("1.0.1"), std::string::npos) << table.out;
    EXPECT_EQ(table.out.find("1.0.0"), std::string::npos) << table.out;
    // And a version comes back from it directly, byte for byte, checked.
    const auto direct = ctl_with_config({"restore", "lab/dqn.pkl@1.0.0", "--replica", "offsite",
                                         "--to", (dir / "direct").string()});
    ASSERT_EQ(direct.exit_code, 0) << direct.out << direct.err;
    EXPECT_EQ(read_file(dir / "direct/dqn.pkl"), pickle(k_weights));
    const auto again = ctl_with_config(
        {"restore", "lab/dqn.pkl", "--replica", "offsite", "--to", (dir / "direct").string()});
    EXPECT_NE(again.exit_code, 0) << "an existing file was replaced without --force";
    EXPECT_EQ(read_file(dir / "direct/dqn.pkl"), pickle(k_weights));
    const auto latest = ctl_with_config({"restore", "lab/dqn.pkl@latest", "--replica", "offsite",
                                         "--to", (dir / "latest").string()});
    ASSERT_EQ(latest.exit_code, 0) << latest.out << latest.err;
    EXPECT_EQ(read_file(dir / "latest/dqn.pkl"), pickle(k_weights + "v2"));
    const auto unknown = ctl_with_config({"list", "--replica", "nowhere"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("no replica named \"nowhere\""), std::string::npos) << unknown.err;

    const auto recovered = recover();
    ASSERT_EQ(recovered.exit_code, 0) << recovered.out << recovered.err;
    EXPECT_NE(recovered.out.find("recovered 2 version(s)"), std::string::npos) << recovered.out;

    // Both versions are back, byte for byte, and pass verification.
    start_daemon();
    ASSERT_EQ(versions("lab/dqn.pkl").size(), 2u);
    const auto out = ctl({"restore", "lab/dqn.pkl@1.0.0", "--to", (dir / "r").string()});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(read_file(dir / "r/dqn.pkl"), pickle(k_weights));
    const auto verified = ctl({"verify", "--all", "--read-data"});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

    // The replica itself checks out from the bucket; a pack damaged there is found by
    // reading the data (its size is unchanged, so the fast check cannot see it).
    const std::vector<std::string> verify_replica = {"verify", "--all", "--replica", "offsite"};
    auto checked = ctl_with_config(verify_replica);
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
    auto with_data = verify_replica;
    with_data.push_back("--read-data");
    checked = ctl_with_config(with_data);
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
    auto replica = replica_client();
    std::string pack;
    std::uint64_t size = 0;
    replica.list("packs/", [&](const s3::ListedObject& object) {
        if (object.size > size) {
            pack = object.key;
            size = object.size;
        }
    });
    replica.put(pack, s3::memory_body(random_bytes(size, 99)));
    EXPECT_EQ(ctl_with_config(verify_replica).exit_code, 0);
    checked = ctl_with_config(with_data);
    EXPECT_EQ(checked.exit_code, 1) << checked.out << checked.err;
    EXPECT_NE(checked.out.find("damaged"), std::string::npos) << checked.out;
    EXPECT_NE(checked.out.find(pack), std::string::npos) << checked.out;
}

TEST_F(ReplicaDaemon, AnEncryptedVaultComesBackWithTheConfigAndTheKeyFile) {
    // The replica holds the key records: with the key file alone the vault comes back.
    const std::filesystem::path key = dir / "vault.key";
    ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", key.string()}).exit_code, 0);
    config["encryption"] = {{"key_file", key.string()}};
    create_bucket();
    start_daemon();
    write_model("dqn.pkl", pickle(k_weights));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    ASSERT_TRUE(wait_until_offsite(1)) << replica_status().dump() << daemon_log();
    EXPECT_GE(objects_on_replica("keys/"), 1);
    EXPECT_EQ(objects_on_replica("signatures/"), 1);
    const auto public_key = ctl({"key", "public", "--vault", vault.string()});
    ASSERT_EQ(public_key.exit_code, 0) << public_key.err;
    write_file(dir / "vault.pub", public_key.out);
    ASSERT_EQ(stop_daemon(), 0);

    std::filesystem::remove_all(vault);
    const auto recovered = recover();
    ASSERT_EQ(recovered.exit_code, 0) << recovered.out << recovered.err;
    // Where the versions came from still verifies, with the public key alone.
    const auto signed_ = ctl(
        {"verify", "--signatures", "--public-key", (dir / "vault.pub").string(), vault.string()});
    EXPECT_EQ(signed_.exit_code, 0) << signed_.out << signed_.err;
    start_daemon();
    const auto out = ctl({"restore", "lab/dqn.pkl@1.0.0", "--to", (dir / "r").string()});
    ASSERT_EQ(out.exit_code, 0) << out.err << daemon_log();
    EXPECT_EQ(read_file(dir / "r/dqn.pkl"), pickle(k_weights));
    const auto verified = ctl({"verify", "--all"});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

class ReplicaRetentionDaemon : public ReplicaDaemon {
protected:
    // 1.0.0 is removed by retention; on the replica it goes with the packs only it needed,
    // and what is left is a whole vault.
    void removed_version_leaves_only_the_packs_still_needed() {
        create_bucket();
        config["watches"][0]["retention"] = {{"keep_last", 1}};
        config["replicas"][0]["keep_removed"] = "0s";
        start_daemon();
        write_model("dqn.pkl", pickle(k_weights));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
        ASSERT_TRUE(wait_until_offsite(1));
        const int first_packs = objects_on_replica("packs/");

        // 1.0.1 shares nothing with 1.0.0, which retention removes (and the local collection
        // its packs). Another backup wakes the replica again.
        const std::string second = random_bytes(3u << 20, 22);
        write_model("dqn.pkl", pickle(second));
        ASSERT_TRUE(wait_until(
            [&] {
                const auto listed = versions("lab/dqn.pkl");
                return listed.size() == 1 && listed[0]["version"] == "1.0.1";
            },
            60s));
        write_model("other.pkl", pickle("other weights"));
        ASSERT_TRUE(wait_for_versions("lab/other.pkl", 1));
        ASSERT_TRUE(wait_until(
            [&] {
                return manifests_on_replica() == 2 &&
                       objects_on_replica("packs/") == files_below(vault / "packs") &&
                       objects_on_replica("index/") == files_below(vault / "index");
            },
            90s))
            << replica_status().dump() << daemon_log();
        EXPECT_GT(first_packs, 0);
        EXPECT_EQ(replica_status()["removed_versions"], 1) << replica_status().dump();
        ASSERT_EQ(stop_daemon(), 0);

        // What is left on the replica is a whole vault: 1.0.1 comes back byte for byte.
        std::filesystem::remove_all(vault);
        const auto recovered = recover();
        ASSERT_EQ(recovered.exit_code, 0) << recovered.out << recovered.err;
        start_daemon();
        const auto out = ctl({"restore", "lab/dqn.pkl@1.0.1", "--to", (dir / "r").string()});
        ASSERT_EQ(out.exit_code, 0) << out.err;
        EXPECT_EQ(read_file(dir / "r/dqn.pkl"), pickle(second));
        const auto verified = ctl({"verify", "--all", "--read-data"});
        EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    }
};

TEST_F(ReplicaRetentionDaemon, AVersionRetentionRemovedLeavesTheReplicaWithThePacksOnlyItNeeded) {
    removed_version_leaves_only_the_packs_still_needed();
}

// An encrypted vault's manifests and index files are sealed: the replicator opens them
// with the vault's key, so its replica is collected like a plain vault's.
TEST_F(ReplicaRetentionDaemon, InAnEncryptedVaultTheReplicasPacksAreCollectedToo) {
    const std::filesystem::path key = dir / "vault.key";
    ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", key.string()}).exit_code, 0);
    config["encryption"] = {{"key_file", key.string()}};
    removed_version_leaves_only_the_packs_still_needed();
}

// A prune or a delete removes versions without a backup: the replicator is woken as by a
// commit, so with keep_removed 0s they leave the replica at once, not at its next
// periodic pass (5 minutes).
TEST_F(ReplicaDaemon, APruneAndADeleteReachTheReplicaWithoutWaitingForABackup) {
    create_bucket();
    config["replicas"][0]["keep_removed"] = "0s";
    start_daemon();
    for (std::size_t i = 0; i < 3; ++i) {
        write_model("dqn.pkl", pickle(k_weights + std::to_string(i)));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", i + 1)) << i;
    }
    ASSERT_TRUE(wait_until_offsite(3)) << replica_status().dump();

    config["watches"][0]["retention"] = {{"keep_last", 2}};
    std::ofstream(config_file) << config.dump(2);
    ASSERT_EQ(ctl({"reload"}).exit_code, 0);
    const auto pruned = ctl({"prune"});
    ASSERT_EQ(pruned.exit_code, 0) << pruned.out << pruned.err;
    ASSERT_EQ(versions("lab/dqn.pkl").size(), 2u) << pruned.out;
    EXPECT_TRUE(wait_until([&] { return manifests_on_replica() == 2; }, 60s))
        << replica_status().dump() << daemon_log();

    const auto deleted = ctl({"delete", "lab/dqn.pkl@1.0.1"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.out << deleted.err;
    EXPECT_TRUE(wait_until([&] { return manifests_on_replica() == 1; }, 60s))
        << replica_status().dump() << daemon_log();
    // (status counts them once the pass is over)
    EXPECT_TRUE(wait_until([&] { return replica_status()["removed_versions"] == 2; }, 30s))
        << replica_status().dump();
}

TEST_F(ReplicaDaemon, WrongCredentialsNeverStopABackupAndStatusSaysWhatToFix) {
    create_bucket();
    write_credentials("not-the-secret");
    start_daemon();
    write_model("dqn.pkl", pickle(k_weights));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    // A pass that failed before the version was committed reports what it listed then (no
    // version pending); the retry the commit wakes reports the version.
    ASSERT_TRUE(wait_until(
        [&] {
            const json r = replica_status();
            return !r["last_error"].is_null() && r["pending_versions"] == 1;
        },
        60s))
        << replica_status().dump();
    const json r = replica_status();
    EXPECT_EQ(r["last_error_kind"], "wrong_credentials") << r.dump();
    EXPECT_NE(r["last_error"].get<std::string>().find(credentials_file.string()), std::string::npos)
        << r.dump();
    EXPECT_EQ(r["pending_versions"], 1) << r.dump();
    const auto human = ctl({"status"});
    EXPECT_NE(human.out.find("replica offsite"), std::string::npos) << human.out;
    EXPECT_NE(human.out.find("wrong_credentials"), std::string::npos) << human.out;
    EXPECT_EQ(human.out.find("not-the-secret"), std::string::npos) << human.out;

    // Fixed credentials are read again at the next attempt.
    write_credentials(gateway.credentials.secret_access_key);
    ASSERT_TRUE(wait_until_offsite(1)) << replica_status().dump();
}

TEST_F(ReplicaDaemon, AMissingBucketIsNamedInStatus) {
    start_daemon(); // the bucket is never created
    write_model("dqn.pkl", pickle(k_weights));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    ASSERT_TRUE(wait_until([&] { return !replica_status()["last_error"].is_null(); }, 60s));
    const json r = replica_status();
    EXPECT_EQ(r["last_error_kind"], "missing_bucket") << r.dump();
    EXPECT_NE(r["last_error"].get<std::string>().find("create it"), std::string::npos);
}

TEST_F(ReplicaDaemon, AnOutageDelaysUploadsAndLosesNothing) {
    create_bucket();
    start_daemon();
    write_model("a.pkl", pickle(k_weights));
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 1));
    ASSERT_TRUE(wait_until_offsite(1));

    // The gateway goes away; local backups go on, and status says the endpoint is down.
    gateway.stop_rgw();
    write_model("b.pkl", pickle(k_weights + "b"));
    ASSERT_TRUE(wait_for_versions("lab/b.pkl", 1));
    ASSERT_TRUE(
        wait_until([&] { return replica_status()["last_error_kind"] == "unreachable"; }, 60s))
        << replica_status().dump();

    // It comes back: the retry uploads the version made meanwhile.
    gateway.start_rgw();
    ASSERT_TRUE(wait_until_offsite(2, 120s)) << replica_status().dump();
}

TEST_F(ReplicaDaemon, AfterSigkillMidUploadTheNextStartFinishesTheUpload) {
    // A slow link (64 KiB/s): the daemon is killed while the model's packs go up.
    create_bucket();
    config["replicas"][0]["bandwidth"] = "64KiB/s";
    start_daemon();
    write_model("dqn.pkl", pickle(k_weights));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    ASSERT_TRUE(wait_until([&] { return replica_status()["running"] == true; }, 30s));
    kill_daemon();

    // No manifest went up before its packs; the next start uploads the rest.
    EXPECT_EQ(manifests_on_replica(), 0);
    config["replicas"][0].erase("bandwidth");
    start_daemon();
    ASSERT_TRUE(wait_until_offsite(1)) << replica_status().dump();
}

} // namespace
} // namespace mv::test
