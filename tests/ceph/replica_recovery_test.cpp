// Reading a replica without the vault (docs/REPLICAS.md, "Recovery"): restore --replica
// takes the selectors a restore takes, and an encrypted vault's replica is read with the
// config's key file.
#include <fstream>

#include <gtest/gtest.h>

#include "tests/ceph/replica_daemon.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// `best` and `current` live in the model's history, which goes up with the versions: a
// restore from the replica follows them as a restore from the vault would.
TEST_F(ReplicaDaemon, RestoreFromTheReplicaFollowsBestAndCurrent) {
    create_bucket();
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/eval/win_rate"}}}};
    config["watches"][0]["settle"] = "200ms";
    start_daemon();
    const std::vector<double> win_rates = {0.40, 0.70, 0.65}; // 1.0.0, 1.1.0 (best), 1.1.1
    for (std::size_t i = 0; i < win_rates.size(); ++i) {
        write_model("dqn.metrics.json", json{{"eval", {{"win_rate", win_rates[i]}}}}.dump());
        write_model("dqn.pkl", pickle("weights " + std::to_string(i)));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", i + 1)) << i << daemon_log();
    }
    ASSERT_EQ(ctl_json({"show", "lab/dqn.pkl@best"})["version"], "1.1.0");
    ASSERT_EQ(ctl({"rollback", "lab/dqn.pkl@1.0.0"}).exit_code, 0); // current: 1.0.0
    ASSERT_TRUE(wait_until(
        [&] { return daemon_log().find("unchanged (same as 1.0.0)") != std::string::npos; }));
    // A restart's first pass uploads the history the rollback grew.
    ASSERT_EQ(stop_daemon(), 0);
    start_daemon();
    ASSERT_TRUE(wait_until_offsite(3)) << replica_status().dump() << daemon_log();
    ASSERT_EQ(stop_daemon(), 0);
    std::filesystem::remove_all(vault);

    for (const auto& [selector, weights] : std::vector<std::pair<std::string, std::string>>{
             {"best", "weights 1"}, {"current", "weights 0"}, {"latest", "weights 2"}}) {
        const auto to = dir / ("restored-" + selector);
        const auto restored = ctl_with_config(
            {"restore", "lab/dqn.pkl@" + selector, "--replica", "offsite", "--to", to.string()});
        ASSERT_EQ(restored.exit_code, 0) << selector << ": " << restored.out << restored.err;
        EXPECT_EQ(read_file(to / "dqn.pkl"), pickle(weights)) << selector;
    }
    const auto verified =
        ctl_with_config({"--json", "verify", "lab/dqn.pkl@best", "--replica", "offsite"});
    ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    EXPECT_EQ(json::parse(verified.out)["checked"], 1) << verified.out;
}

// A rollback moves `current` without a new version: the replicas upload the history at
// once (the vault tells the daemon), not at their next periodic pass minutes later.
TEST_F(ReplicaDaemon, ARollbackReachesTheReplicaWithoutWaitingForAPass) {
    create_bucket();
    config["watches"][0]["settle"] = "200ms";
    start_daemon();
    for (int i = 0; i < 2; ++i) {
        write_model("dqn.pkl", pickle("weights " + std::to_string(i)));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", i + 1)) << i << daemon_log();
    }
    ASSERT_TRUE(wait_until_offsite(2)) << replica_status().dump() << daemon_log();
    ASSERT_EQ(ctl({"rollback", "lab/dqn.pkl@1.0.0"}).exit_code, 0);
    const auto to = dir / "restored-current";
    std::string last;
    EXPECT_TRUE(wait_until(
        [&] {
            std::filesystem::remove_all(to);
            const auto restored = ctl_with_config(
                {"restore", "lab/dqn.pkl@current", "--replica", "offsite", "--to", to.string()});
            last = restored.out + restored.err;
            return restored.exit_code == 0 && read_file(to / "dqn.pkl") == pickle("weights 0");
        },
        30s))
        << last << daemon_log();
}

// verify --replica --read-data fetches a chunk that several versions share once: the
// second version's unchanged first half comes from what the first version's check kept.
TEST_F(ReplicaDaemon, ReadingTheReplicaBackFetchesASharedChunkOnce) {
    create_bucket();
    config["watches"][0]["settle"] = "200ms";
    start_daemon();
    const std::string first_half = random_bytes(8u << 20, 31);
    write_model("dqn.pkl", pickle(first_half + random_bytes(8u << 20, 32)));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    write_model("dqn.pkl", pickle(first_half + random_bytes(8u << 20, 33)));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    ASSERT_TRUE(wait_until_offsite(2)) << replica_status().dump() << daemon_log();
    const auto checked =
        ctl_with_config({"--json", "verify", "lab/dqn.pkl", "--replica", "offsite", "--read-data"});
    ASSERT_EQ(checked.exit_code, 0) << checked.out << checked.err;
    const json result = json::parse(checked.out, nullptr, false);
    ASSERT_TRUE(result.is_object()) << checked.out;
    EXPECT_EQ(result["checked"], 2) << checked.out;
    EXPECT_GE(result["reused"]["chunks"].get<int>(), 1) << checked.out;
    // Both versions are 16 MiB (and a few bytes); what they share is read once.
    EXPECT_LT(result["fetched"]["bytes"].get<std::uint64_t>(), 28u << 20) << checked.out;
}

// restore --replica --compatible-with compares as a restore from the vault does: from the
// replica's manifests, under the config's compat keys, with the same refusal and advice.
TEST_F(ReplicaDaemon, RestoreFromTheReplicaChecksCompatLikeTheVault) {
    create_bucket();
    config["watches"][0]["settle"] = "200ms";
    config["watches"][0]["compat"] = {{"file", "config.json"},
                                      {"keys", {"/observation_space_shape"}}};
    start_daemon();
    for (int shape : {16, 12}) {
        write_model("config.json", json{{"observation_space_shape", {shape}}}.dump());
        write_model("dqn.pkl", pickle("weights for " + std::to_string(shape)));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", shape == 16 ? 1 : 2)) << daemon_log();
    }
    ASSERT_TRUE(wait_until_offsite(2)) << replica_status().dump() << daemon_log();
    ASSERT_EQ(stop_daemon(), 0);
    std::filesystem::remove_all(vault);
    const auto run_config = dir / "run-config.json";
    write_file(run_config, R"({"observation_space_shape": [16]})");

    const auto target = dir / "restored";
    auto out = ctl_with_config({"restore", "lab/dqn.pkl@latest", "--replica", "offsite",
                                "--compatible-with", run_config.string(), "--to", target.string()});
    EXPECT_EQ(out.exit_code, 1) << out.out << out.err;
    EXPECT_NE(out.err.find("lab/dqn.pkl 2.0.0 does not match"), std::string::npos) << out.err;
    EXPECT_NE(out.err.find("/observation_space_shape: stored [12], this run [16]"),
              std::string::npos)
        << out.err;
    EXPECT_NE(out.err.find("the newest version this run can load is 1.0.0: `modelvaultctl restore "
                           "lab/dqn.pkl@1.0.0 --replica offsite --compatible-with"),
              std::string::npos)
        << out.err;
    EXPECT_FALSE(std::filesystem::exists(target));
    out = ctl_with_config({"restore", "lab/dqn.pkl@1.0.0", "--replica", "offsite",
                           "--compatible-with", run_config.string(), "--to", target.string()});
    ASSERT_EQ(out.exit_code, 0) << out.out << out.err;
    EXPECT_EQ(read_file(target / "dqn.pkl"), pickle("weights for 16"));
}

// An encrypted vault's manifests, index files and chunks are sealed on the replica too:
// list, restore and verify --replica open them with the config's key file and the key
// records replicated with the data; without the right key each says what to do.
TEST_F(ReplicaDaemon, AnEncryptedVaultsReplicaIsReadWithTheConfigsKeyFile) {
    const std::filesystem::path key = dir / "vault.key";
    ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", key.string()}).exit_code, 0);
    config["encryption"] = {{"key_file", key.string()}};
    create_bucket();
    start_daemon();
    const std::string weights = random_bytes(1u << 20, 31);
    write_model("dqn.pkl", pickle(weights));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    write_model("dqn.pkl", pickle(weights + "v2"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    ASSERT_TRUE(wait_until_offsite(2)) << replica_status().dump() << daemon_log();
    ASSERT_EQ(stop_daemon(), 0);
    std::filesystem::remove_all(vault);

    const auto listed = ctl_with_config({"--json", "list", "--replica", "offsite"});
    ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
    const json there = json::parse(listed.out, nullptr, false);
    ASSERT_TRUE(there.is_object()) << listed.out;
    ASSERT_EQ(there["versions"].size(), 2u) << listed.out;
    EXPECT_EQ(there["versions"][0]["version"], "1.0.1");
    const auto restored = ctl_with_config(
        {"restore", "lab/dqn.pkl@1.0.0", "--replica", "offsite", "--to", (dir / "r").string()});
    ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
    EXPECT_EQ(read_file(dir / "r/dqn.pkl"), pickle(weights));
    const auto verified =
        ctl_with_config({"verify", "--all", "--read-data", "--replica", "offsite"});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    EXPECT_NE(verified.out.find("2 version(s) intact"), std::string::npos) << verified.out;

    // No key in the config: the message says where to put it.
    config.erase("encryption");
    std::ofstream(config_file) << config.dump(2);
    const auto keyless = ctl_with_config({"list", "--replica", "offsite"});
    EXPECT_NE(keyless.exit_code, 0);
    EXPECT_NE(keyless.err.find("holds an encrypted vault"), std::string::npos) << keyless.err;
    EXPECT_NE(keyless.err.find("encryption.key_file"), std::string::npos) << keyless.err;
    // Another vault's key: named, with what to do.
    const std::filesystem::path other = dir / "other.key";
    ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", other.string()}).exit_code, 0);
    config["encryption"] = {{"key_file", other.string()}};
    std::ofstream(config_file) << config.dump(2);
    const auto wrong = ctl_with_config(
        {"restore", "lab/dqn.pkl", "--replica", "offsite", "--to", (dir / "w").string()});
    EXPECT_NE(wrong.exit_code, 0);
    EXPECT_NE(wrong.err.find(other.string() + " opens none"), std::string::npos) << wrong.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "w/dqn.pkl"));
}

} // namespace
} // namespace mv::test
