// The trigger rules, one at a time, at their boundaries.
#include <cmath>

#include <gtest/gtest.h>

#include "daemon/triggers.hpp"
#include "vault/compat.hpp"

namespace mv::daemon {
namespace {

using nlohmann::json;

config::ImprovementTrigger rule(config::MetricMode mode, double min_delta, double min_relative) {
    config::ImprovementTrigger r;
    r.metric = "/eval/win_rate";
    r.mode = mode;
    r.min_delta = min_delta;
    r.min_relative = min_relative;
    return r;
}

TEST(Improvement, FirstFiniteValueIsBest) {
    const auto v = judge_improvement(rule(config::MetricMode::max, 0, 0), std::nullopt, 0.5);
    EXPECT_TRUE(v.improved);
    EXPECT_EQ(v.reason, "metric /eval/win_rate = 0.5 (first recorded value)");
}

TEST(Improvement, RelativeThresholdIsInclusive) {
    const auto r = rule(config::MetricMode::max, 0, 0.05);
    EXPECT_FALSE(judge_improvement(r, 0.50, 0.51).improved); // +2 %
    EXPECT_TRUE(judge_improvement(r, 0.50, 0.525).improved); // exactly +5 %
    const auto big = judge_improvement(r, 0.50, 0.60);
    EXPECT_TRUE(big.improved);
    EXPECT_EQ(big.reason, "metric /eval/win_rate improved 0.5 → 0.6 (+20.0%)");
}

TEST(Improvement, AbsoluteThresholdIsInclusiveAndBothMustHold) {
    const auto r = rule(config::MetricMode::max, 0.25, 0.10);
    EXPECT_TRUE(judge_improvement(r, 1.0, 1.25).improved);   // +0.25, +25 %
    EXPECT_FALSE(judge_improvement(r, 1.0, 1.24).improved);  // delta too small
    EXPECT_FALSE(judge_improvement(r, 10.0, 10.5).improved); // delta ok, +5 % too small
}

TEST(Improvement, MinModeWantsSmallerValues) {
    const auto r = rule(config::MetricMode::min, 0, 0);
    EXPECT_TRUE(judge_improvement(r, 0.30, 0.29).improved);
    EXPECT_FALSE(judge_improvement(r, 0.30, 0.31).improved);
    EXPECT_FALSE(judge_improvement(r, 0.30, 0.30).improved); // equal is no improvement
}

TEST(Improvement, NanAndInfinityAreNeverBest) {
    const auto r = rule(config::MetricMode::max, 0, 0);
    EXPECT_FALSE(judge_improvement(r, 0.5, std::nan("")).improved);
    EXPECT_FALSE(judge_improvement(r, std::nullopt, std::nan("")).improved);
    EXPECT_FALSE(judge_improvement(r, 0.5, INFINITY).improved);
    // A NaN recorded as best (from an old version) is beaten by any number.
    EXPECT_TRUE(judge_improvement(r, std::nan(""), 0.1).improved);
}

TEST(Improvement, ZeroBestNeedsOnlyAGain) {
    const auto r = rule(config::MetricMode::max, 0, 0.5);
    EXPECT_TRUE(judge_improvement(r, 0.0, 0.001).improved);
    EXPECT_FALSE(judge_improvement(r, 0.0, 0.0).improved);
}

TEST(ReadMetric, ExplainsMissingAndNonNumericValues) {
    const json doc = {{"eval", {{"win_rate", 0.7}, {"note", "good"}, {"nan", "NaN"}}}};
    std::string problem;
    EXPECT_EQ(read_metric(doc, "/eval/win_rate", problem), 0.7);
    EXPECT_FALSE(read_metric(doc, "/eval/loss", problem));
    EXPECT_EQ(problem, "/eval/loss is missing");
    EXPECT_FALSE(read_metric(doc, "/eval/note", problem));
    EXPECT_EQ(problem, "/eval/note is \"good\", not a number");
    EXPECT_TRUE(std::isnan(*read_metric(doc, "/eval/nan", problem)));
}

TEST(Steps, VersionWhenAMultipleIsCrossed) {
    config::StepsTrigger r;
    r.counter = "/episode";
    r.every = 1000;
    EXPECT_FALSE(judge_steps(r, std::nullopt, 500).crossed);
    EXPECT_TRUE(judge_steps(r, std::nullopt, 1000).crossed);
    EXPECT_FALSE(judge_steps(r, 1200, 1999).crossed);
    const auto v = judge_steps(r, 1200, 2000);
    EXPECT_TRUE(v.crossed);
    EXPECT_EQ(v.reason, "counter /episode reached 2000 (every 1000)");
    EXPECT_TRUE(judge_steps(r, 1200, 5300).crossed);  // several multiples at once: one version
    EXPECT_FALSE(judge_steps(r, 3000, 2500).crossed); // a restarted run going backwards
}

TEST(Compat, ChangedValueIsABreakNewKeyIsNot) {
    const json before = {{"/observation_space_shape", {4}}, {"/policy", "mlp"}};
    EXPECT_FALSE(judge_compat(before, before).changed);
    json after = before;
    after["/observation_space_shape"] = {8};
    const auto v = judge_compat(before, after);
    EXPECT_TRUE(v.changed);
    EXPECT_EQ(v.reason, "compat /observation_space_shape changed [4] → [8]");
    json added = before;
    added["/action_space_shape"] = {2};
    EXPECT_FALSE(judge_compat(before, added).changed);
}

TEST(Compat, ValuesAreReadByPointer) {
    config::Compat c;
    c.file = "config.json";
    c.keys = {"/env/obs", "/missing"};
    const json doc = {{"env", {{"obs", {84, 84, 4}}}}};
    EXPECT_EQ(vault::compat_values(c, doc), (json{{"/env/obs", {84, 84, 4}}}));
}

TEST(Templates, ExpandInTheModelsFolder) {
    EXPECT_EQ(expand_template("{stem}.metrics.json", "agents/dqn.pkl", "lab"),
              "agents/dqn.metrics.json");
    EXPECT_EQ(expand_template("{name}.json", "dqn.pkl", "lab"), "dqn.pkl.json");
    EXPECT_EQ(expand_template("config.yaml", "a/b/c.pt", "lab"), "a/b/config.yaml");
    EXPECT_EQ(expand_template("{stem}.metrics.json", "", "bert"), "bert.metrics.json");
    EXPECT_EQ(expand_template("{stem}.json", ".hidden", "lab"), ".hidden.json");
}

} // namespace
} // namespace mv::daemon
