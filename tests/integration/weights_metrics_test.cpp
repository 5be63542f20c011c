// Metrics that belong to the weights (issue 9): a metrics file written before the model
// (the README's RL loop) or after it (save, then evaluate), each content taken by one
// version at most, and metrics that come after their version's wait.
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class WeightsMetricsTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        config["watches"][0]["settle"] = "300ms";
        config["watches"][0]["triggers"] = {
            {"improvement", {{"metric", "/eval/win_rate"}, {"mode", "max"}}}};
    }
    // The versions of `model`, oldest first.
    json oldest_first(const std::string& model) {
        auto v = versions(model);
        std::reverse(v.begin(), v.end());
        return v;
    }
};

TEST_F(WeightsMetricsTest, SaveThenEvaluateGivesEachVersionItsOwnMetrics) {
    // The second case: the checkpoint first, its evaluation a few seconds later.
    // Before, each version took the previous epoch's metrics and `best` went to the wrong
    // weights.
    start_daemon();
    const double win_rates[] = {0.5, 0.9, 0.6, 0.7};
    for (int epoch = 0; epoch < 4; ++epoch) {
        write_model("agent.pkl", pickle("weights of epoch " + std::to_string(epoch)));
        std::this_thread::sleep_for(1500ms);
        write_model("agent.metrics.json",
                    json{{"epoch", epoch}, {"eval", {{"win_rate", win_rates[epoch]}}}}.dump());
        std::this_thread::sleep_for(1500ms);
    }
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 4, 30s));
    const auto v = oldest_first("lab/agent.pkl");
    ASSERT_EQ(v.size(), 4u) << v.dump(2);
    for (int epoch = 0; epoch < 4; ++epoch) {
        EXPECT_EQ(v[epoch]["metrics"]["epoch"], epoch) << v.dump(2);
        EXPECT_FALSE(v[epoch]["metrics_missing"].get<bool>());
    }
    // best is epoch 1's weights, the ones that scored 0.9.
    const auto out = ctl({"restore", "lab/agent.pkl@best", "--to", (dir / "best").string()});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(read_file(dir / "best/agent.pkl"), pickle("weights of epoch 1"));
    EXPECT_EQ(ctl_json({"show", "lab/agent.pkl@best"})["metrics"]["eval"]["win_rate"], 0.9);
}

TEST_F(WeightsMetricsTest, MetricsLaterThanTheWaitAreAttachedAndMayMoveBest) {
    config["watches"][0]["triggers"]["metrics_wait"] = "1s";
    start_daemon();
    write_model("agent.metrics.json", json{{"eval", {{"win_rate", 0.5}}}}.dump());
    write_model("agent.pkl", pickle("first"));
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 1));
    // Saved again; its evaluation comes well after the wait.
    write_model("agent.pkl", pickle("second"));
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 2, 20s));
    auto second = ctl_json({"show", "lab/agent.pkl@1.0.1"});
    EXPECT_TRUE(second["metrics_missing"].get<bool>()) << second.dump(2);
    EXPECT_NE(second["reason"].get<std::string>().find("metrics missing"), std::string::npos);
    EXPECT_EQ(ctl_json({"show", "lab/agent.pkl@best"})["version"], "1.0.0");
    EXPECT_NE(ctl({"list", "lab/agent.pkl"}).out.find("NO-METRICS"), std::string::npos);
    write_model("agent.metrics.json", json{{"eval", {{"win_rate", 0.8}}}}.dump());
    ASSERT_TRUE(wait_until(
        [&] {
            return ctl_json({"show", "lab/agent.pkl@best"})["version"] == "1.0.1";
        },
        40s))
        << daemon_log();
    second = ctl_json({"show", "lab/agent.pkl@1.0.1"});
    EXPECT_FALSE(second["metrics_missing"].get<bool>());
    EXPECT_EQ(second["metrics"]["eval"]["win_rate"], 0.8);
    const auto history = ctl_json({"history", "lab/agent.pkl"})["history"];
    ASSERT_EQ(history.size(), 2u) << history.dump(2);
    EXPECT_NE(history[1]["reason"].get<std::string>().find("its metrics came after the version"),
              std::string::npos)
        << history.dump(2);
    // The same content again belongs to no new version.
    write_model("agent.pkl", pickle("third"));
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 3, 20s));
    EXPECT_TRUE(ctl_json({"show", "lab/agent.pkl@1.0.2"})["metrics_missing"].get<bool>());
}

TEST_F(WeightsMetricsTest, AManualBackupTakesTheMetricsThatWereStillSettling) {
    // Save, then evaluate, and `modelvaultctl backup` once the save settled: the metrics
    // file is still settling, so the version is made without it. Before, its state then
    // counted as already looked at: those metrics were never attached, and the next save's
    // metrics could go to this version instead (docs/CONFIG.md, "Metrics that belong to the
    // weights").
    config["watches"][0]["settle"] = "3s";
    start_daemon();
    write_model("agent.pkl", pickle("episode 1000"));
    std::this_thread::sleep_for(1s);
    write_model("agent.metrics.json",
                json{{"episode", 1000}, {"eval", {{"win_rate", 0.55}}}}.dump());
    const auto made = ctl_json({"backup", "lab/agent.pkl"});
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 1, 20s)) << made.dump(2);
    EXPECT_TRUE(ctl_json({"show", "lab/agent.pkl@latest"})["metrics_missing"].get<bool>());
    ASSERT_TRUE(wait_until(
        [&] {
            return !ctl_json({"show", "lab/agent.pkl@latest"})["metrics_missing"].get<bool>();
        },
        20s))
        << daemon_log();
    const auto first = ctl_json({"show", "lab/agent.pkl@latest"});
    EXPECT_EQ(first["metrics"]["episode"], 1000) << first.dump(2);
    EXPECT_EQ(first["reason"].get<std::string>().find("metrics missing"), std::string::npos)
        << first.dump(2);
    EXPECT_EQ(ctl_json({"show", "lab/agent.pkl@best"})["version"], first["version"]);
}

TEST_F(WeightsMetricsTest, MetricsWrittenJustBeforeTheNextSaveAreNotGivenToTheVersionBefore) {
    // A version without metrics of its own (a manual backup of weights the loop did not
    // write), then the loop's next save: its metrics first, its weights 1.2 s later. The
    // metrics settle before the weights come; they are the next save's, not late metrics
    // of the version before.
    config["watches"][0]["triggers"]["metrics_wait"] = "1s";
    start_daemon();
    write_model("agent.metrics.json",
                json{{"episode", 1000}, {"eval", {{"win_rate", 0.55}}}}.dump());
    write_model("agent.pkl", pickle("episode 1000"));
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 1, 20s));
    write_model("agent.pkl", pickle("weights edited by hand"));
    const auto made = ctl_json({"backup", "lab/agent.pkl"});
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 2, 20s)) << made.dump(2);
    EXPECT_TRUE(ctl_json({"show", "lab/agent.pkl@latest"})["metrics_missing"].get<bool>());
    write_model("agent.metrics.json",
                json{{"episode", 2000}, {"eval", {{"win_rate", 0.6}}}}.dump());
    std::this_thread::sleep_for(1200ms);
    write_model("agent.pkl", pickle("episode 2000"));
    ASSERT_TRUE(wait_for_versions("lab/agent.pkl", 3, 20s));
    const auto v = oldest_first("lab/agent.pkl");
    ASSERT_EQ(v.size(), 3u) << v.dump(2);
    EXPECT_TRUE(v[1]["metrics_missing"].get<bool>()) << v.dump(2);
    EXPECT_EQ(v[2]["metrics"]["episode"], 2000) << v.dump(2);
    EXPECT_EQ(ctl_json({"show", "lab/agent.pkl@best"})["version"], v[2]["version"]);
}

TEST_F(WeightsMetricsTest, TheReadmeTrainingLoopWritesMetricsFirstAndKeepsWorking) {
    // examples/rl_training_loop.py: metrics file, then model, each written atomically.
    config["watches"][0]["name"] = "pacman";
    config["watches"][0]["sidecars"] = {"{stem}.metrics.json", "config.json"};
    config["watches"][0]["triggers"]["improvement"]["min_relative"] = 0.05;
    config["watches"][0]["compat"] = {
        {"file", "config.json"}, {"keys", {"/observation_space_shape", "/action_space_shape"}}};
    start_daemon();
    const auto loop = run({"python3", std::string(MV_SOURCE_DIR) + "/examples/rl_training_loop.py",
                           models.string(), "--episodes", "4000", "--pause", "1.2"},
                          {.env = {}, .cwd = {}, .input = {}, .timeout = 60s});
    ASSERT_EQ(loop.exit_code, 0) << loop.err;
    ASSERT_TRUE(wait_for_versions("pacman/dqn.pkl", 4, 30s));
    const auto v = oldest_first("pacman/dqn.pkl");
    double best_rate = -1;
    std::string best_version;
    for (std::size_t i = 0; i < v.size(); ++i) {
        EXPECT_EQ(v[i]["metrics"]["episode"], 1000 * static_cast<int>(i + 1)) << v.dump(2);
        if (v[i]["metrics"]["eval"]["win_rate"].get<double>() >= best_rate * 1.05) {
            best_rate = v[i]["metrics"]["eval"]["win_rate"].get<double>();
            best_version = v[i]["version"].get<std::string>();
        }
    }
    EXPECT_EQ(ctl_json({"show", "pacman/dqn.pkl@best"})["version"], best_version);
}

} // namespace
} // namespace mv::test
