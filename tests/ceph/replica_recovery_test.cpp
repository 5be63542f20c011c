// Reading a replica without the vault (docs/REPLICAS.md, "Recovery"): restore --replica
// takes the selectors a restore takes.
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

} // namespace
} // namespace mv::test
