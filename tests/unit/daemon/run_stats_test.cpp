#include <gtest/gtest.h>

#include "daemon/run_stats.hpp"

namespace mv::daemon {
namespace {

using nlohmann::json;

vault::Manifest run(const std::string& model, int patch, const char* created,
                    const std::string& algorithm, double reward, double loss) {
    vault::Manifest m;
    m.model = model;
    m.version = {1, 0, static_cast<unsigned>(patch)};
    m.created = *parse_time(created);
    m.trigger = patch == 0 ? vault::Trigger::manual : vault::Trigger::improvement;
    m.params = {{"algorithm", algorithm}};
    m.metrics = {{"reward", reward}, {"eval", {{"loss", loss}}}};
    vault::FileEntry file;
    file.size = 1000;
    m.files.push_back(file);
    m.storage.new_bytes = 400;
    return m;
}

const std::vector<vault::Manifest> k_runs = {
    run("lab/a.pkl", 0, "2026-11-23T10:00:00Z", "dqn", 10, 0.5),  // a Monday
    run("lab/a.pkl", 1, "2026-11-29T23:00:00Z", "dqn", 30, 0.2),  // the Sunday after
    run("lab/b.pkl", 0, "2026-11-30T08:00:00Z", "ppo", 20, 0.1)}; // the next Monday

TEST(RunStats, TotalsTriggersAndMetrics) {
    const auto s = version_stats(k_runs, {std::nullopt, Period::none, {"/eval/loss"}});
    EXPECT_EQ(s["versions"], 3);
    EXPECT_EQ(s["models"], 2);
    EXPECT_EQ(s["logical_bytes"], 3000);
    EXPECT_EQ(s["stored_bytes"], 1200);
    EXPECT_EQ(s["saved_bytes"], 1800);
    EXPECT_EQ(s["by_trigger"], json({{"improvement", 1}, {"manual", 2}}));
    const json& reward = s["metrics"]["/reward"];
    EXPECT_EQ(reward["count"], 3);
    EXPECT_EQ(reward["min"], 10.0);
    EXPECT_EQ(reward["max"], 30.0);
    EXPECT_EQ(reward["mean"], 20.0);
    EXPECT_EQ(reward["best"], 30.0);
    EXPECT_EQ(reward["best_version"], "lab/a.pkl@1.0.1");
    // The loss of an improvement trigger with mode min: its best is its lowest.
    EXPECT_EQ(s["metrics"]["/eval/loss"]["best"], 0.1);
    EXPECT_EQ(s["metrics"]["/eval/loss"]["best_is"], "lowest");
    ASSERT_EQ(s["per_model"].size(), 2u);
    EXPECT_EQ(s["per_model"][0]["model"], "lab/a.pkl");
    EXPECT_EQ(s["per_model"][0]["versions"], 2);
    EXPECT_FALSE(s.contains("groups"));
    EXPECT_FALSE(s.contains("periods"));
}

TEST(RunStats, GroupedByAFieldAndOverTime) {
    const auto by = version_stats(k_runs, {*parse_field("params.algorithm"), Period::week, {}});
    ASSERT_EQ(by["groups"].size(), 2u);
    EXPECT_EQ(by["groups"][0]["group"], "dqn");
    EXPECT_EQ(by["groups"][0]["metrics"]["/reward"]["mean"], 20.0);
    EXPECT_EQ(by["groups"][1]["group"], "ppo");
    // Weeks start on Monday (UTC): the first two runs share one.
    ASSERT_EQ(by["periods"].size(), 2u);
    EXPECT_EQ(by["periods"][0]["start"], "2026-11-23");
    EXPECT_EQ(by["periods"][0]["versions"], 2);
    EXPECT_EQ(by["periods"][1]["start"], "2026-11-30");
    const auto days = version_stats(k_runs, {std::nullopt, Period::day, {}});
    ASSERT_EQ(days["periods"].size(), 3u);
    EXPECT_EQ(days["periods"][1]["start"], "2026-11-29");
    // A version without the field is in the group "(none)".
    const auto missing = version_stats(k_runs, {*parse_field("params.seed"), Period::none, {}});
    ASSERT_EQ(missing["groups"].size(), 1u);
    EXPECT_EQ(missing["groups"][0]["group"], "(none)");
    EXPECT_EQ(version_stats({}, {})["versions"], 0);
}

} // namespace
} // namespace mv::daemon
