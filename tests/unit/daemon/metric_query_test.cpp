#include <gtest/gtest.h>

#include "daemon/metric_query.hpp"

namespace mv::daemon {
namespace {

using nlohmann::json;

const json k_metrics = {{"episode", 3000},
                        {"eval", {{"win_rate", 0.7}, {"loss", 0.12}}},
                        {"train", {{"loss", 0.5}}},
                        {"note", "text"}};

TEST(FindMetric, ByPointerOrByNameDepthFirst) {
    EXPECT_EQ(find_metric(k_metrics, "/eval/win_rate"), 0.7);
    EXPECT_EQ(find_metric(k_metrics, "win_rate"), 0.7);
    EXPECT_EQ(find_metric(k_metrics, "episode"), 3000);
    EXPECT_EQ(find_metric(k_metrics, "/train/loss"), 0.5);
    EXPECT_EQ(find_metric(k_metrics, "loss"), 0.12); // the first one found: eval before train
    EXPECT_FALSE(find_metric(k_metrics, "note"));    // not a number
    EXPECT_FALSE(find_metric(k_metrics, "/eval/missing"));
    EXPECT_FALSE(find_metric(json::object(), "win_rate"));
}

TEST(ParseCondition, EveryOperator) {
    struct Case {
        const char* text;
        bool expected;
    };
    for (const auto& c :
         {Case{"win_rate>=0.7", true}, Case{"win_rate > 0.7", false}, Case{"win_rate<0.8", true},
          Case{"win_rate<=0.69", false}, Case{"episode==3000", true}, Case{"episode!=3000", false},
          Case{"/eval/loss < 0.2", true}, Case{"missing>0", false}}) {
        auto condition = parse_condition(c.text);
        ASSERT_TRUE(condition) << c.text << ": " << condition.error();
        EXPECT_EQ(condition->matches(k_metrics), c.expected) << c.text;
    }
}

TEST(ParseCondition, ExplainsBadInput) {
    for (const char* bad : {"win_rate", ">=0.5", "win_rate>=", "win_rate>=abc", "win_rate=0.5",
                            "win_rate=>0.4", "win_rate=<0.4", "win_rate!>0.4"}) {
        auto condition = parse_condition(bad);
        ASSERT_FALSE(condition) << bad;
        EXPECT_NE(condition.error().find("METRIC OP NUMBER"), std::string::npos);
    }
}

TEST(ParseOrder, DirectionSuffix) {
    EXPECT_TRUE(parse_order("win_rate")->descending);
    EXPECT_FALSE(parse_order("win_rate:asc")->descending);
    EXPECT_EQ(parse_order("/eval/loss:asc")->metric, "/eval/loss");
    EXPECT_EQ(parse_order("a:b")->metric, "a:b"); // not a direction: part of the name
    EXPECT_FALSE(parse_order(""));
    EXPECT_FALSE(parse_order(":asc"));
}

} // namespace
} // namespace mv::daemon
