#include <gtest/gtest.h>

#include "daemon/where_clause.hpp"

namespace mv::daemon {
namespace {

using nlohmann::json;

const json k_params = {{"alpha", 0.1},
                       {"algorithm", "dqn"},
                       {"seed", "42"},
                       {"double_q", true},
                       {"lr", {{"decay", 0.9}, {"steps", {100, 200}}}},
                       {"a.b", 5}};
const json k_metrics = {{"episode", 3000},
                        {"eval", {{"win_rate", 0.7}, {"loss", 0.12}}},
                        {"train", {{"loss", 0.5}}},
                        {"label", "good"}};

bool holds(std::string_view text) {
    auto condition = parse_condition(text);
    EXPECT_TRUE(condition) << text << ": " << condition.error();
    return condition && condition->matches(k_params, k_metrics);
}

TEST(WhereClause, NumbersWithEveryOperator) {
    EXPECT_TRUE(holds("params.alpha==0.1"));
    EXPECT_FALSE(holds("params.alpha!=0.1"));
    EXPECT_TRUE(holds("metrics.eval.win_rate>=0.7"));
    EXPECT_FALSE(holds("metrics.eval.win_rate > 0.7"));
    EXPECT_TRUE(holds("metrics.eval.win_rate<0.8"));
    EXPECT_FALSE(holds("metrics.eval.win_rate<=0.69"));
    EXPECT_TRUE(holds("params.lr.decay<1"));
    EXPECT_TRUE(holds("params.lr.steps.1==200")); // an array index
    EXPECT_FALSE(holds("params.lr.steps.2==200"));
}

TEST(WhereClause, LegacyMetricForms) {
    EXPECT_TRUE(holds("win_rate>=0.7"));    // a key found anywhere in the metrics
    EXPECT_TRUE(holds("loss<0.2"));         // the first one: eval before train
    EXPECT_TRUE(holds("/train/loss==0.5")); // a pointer into the metrics
    EXPECT_TRUE(holds("episode!=3001"));
    EXPECT_FALSE(holds("alpha==0.1")); // bare names are metrics, not params
}

TEST(WhereClause, StringsAndBooleans) {
    EXPECT_TRUE(holds("params.algorithm==dqn"));
    EXPECT_TRUE(holds("params.algorithm=='dqn'"));
    EXPECT_TRUE(holds("params.algorithm != \"ppo\""));
    EXPECT_FALSE(holds("params.algorithm==ppo"));
    EXPECT_TRUE(holds("params.seed==42"));      // an unquoted number against a string field
    EXPECT_FALSE(holds("params.alpha=='0.1'")); // quoted: a string, and alpha is a number
    EXPECT_TRUE(holds("params.alpha!='0.1'"));
    EXPECT_TRUE(holds("params.double_q==true"));
    EXPECT_FALSE(holds("params.double_q==false"));
    EXPECT_TRUE(holds("metrics.label==good"));
    EXPECT_TRUE(holds("params./a.b==5")); // a pointer reaches keys with dots
}

TEST(WhereClause, AMissingFieldMatchesNothing) {
    EXPECT_FALSE(holds("params.beta==0.1"));
    EXPECT_FALSE(holds("params.beta!=0.1"));
    EXPECT_FALSE(holds("params.algorithm>1")); // a string is never ordered
    EXPECT_FALSE(parse_condition("params.alpha>0")->matches(json::object(), k_metrics));
}

TEST(WhereClause, ExplainsBadInput) {
    for (const char* bad :
         {"win_rate", ">=0.5", "win_rate>=", "win_rate>=abc", "win_rate=0.5", "win_rate=>0.4",
          "win_rate=<0.4", "win_rate!>0.4", "params.==1", "params.a..b==1", "metrics.==1",
          "params.algorithm<dqn", "params.x>='1'", "params.x>=true", "a>=<1"}) {
        auto condition = parse_condition(bad);
        ASSERT_FALSE(condition) << bad;
        EXPECT_NE(condition.error().find("FIELD OP VALUE"), std::string::npos) << bad;
        EXPECT_NE(condition.error().find(bad), std::string::npos) << condition.error();
    }
    EXPECT_NE(parse_condition("params.algorithm<dqn").error().find("== and != only"),
              std::string::npos);
    EXPECT_NE(parse_condition("alpha=0.1").error().find("use =="), std::string::npos);
}

TEST(WhereClause, FieldsForColumnsAndGrouping) {
    const auto field = parse_field(" params.algorithm ");
    ASSERT_TRUE(field);
    EXPECT_EQ(field->text, "params.algorithm");
    EXPECT_EQ(*find_field(*field, k_params, k_metrics), "dqn");
    EXPECT_EQ(find_field(*parse_field("metrics.eval"), k_params, k_metrics)->size(), 2u);
    EXPECT_FALSE(parse_field(""));
    EXPECT_FALSE(parse_field("params."));
}

} // namespace
} // namespace mv::daemon
