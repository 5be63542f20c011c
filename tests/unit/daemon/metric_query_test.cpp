#include <gtest/gtest.h>

#include "daemon/metric_query.hpp"

namespace mv::daemon {
namespace {

using nlohmann::json;

const json k_sort_metrics = {{"episode", 3000},
                             {"eval", {{"win_rate", 0.7}, {"loss", 0.12}}},
                             {"train", {{"loss", 0.5}}},
                             {"note", "text"}};
const json k_sort_params = {{"alpha", 0.1}, {"net", {{"layers", 3}}}};

double sort_number(std::string_view field) {
    return find_number(*parse_field(field), k_sort_params, k_sort_metrics).value_or(-1);
}

TEST(FindNumber, ByPointerNameOrPrefixedPath) {
    EXPECT_EQ(sort_number("/eval/win_rate"), 0.7);
    EXPECT_EQ(sort_number("win_rate"), 0.7);
    EXPECT_EQ(sort_number("episode"), 3000);
    EXPECT_EQ(sort_number("loss"), 0.12); // the first one found: eval before train
    EXPECT_EQ(sort_number("metrics.train.loss"), 0.5);
    EXPECT_EQ(sort_number("params.net.layers"), 3);
    EXPECT_FALSE(find_number(*parse_field("note"), k_sort_params, k_sort_metrics)); // not a number
    EXPECT_FALSE(find_number(*parse_field("/eval/missing"), k_sort_params, k_sort_metrics));
}

TEST(ParseOrder, DirectionSuffix) {
    EXPECT_TRUE(parse_order("win_rate")->descending);
    EXPECT_FALSE(parse_order("win_rate:asc")->descending);
    EXPECT_EQ(parse_order("/eval/loss:asc")->field.path, "/eval/loss");
    EXPECT_EQ(parse_order("params.alpha:asc")->field.source, FieldRef::Source::params);
    EXPECT_EQ(parse_order("a:b")->field.text, "a:b"); // not a direction: part of the name
    EXPECT_FALSE(parse_order(""));
    EXPECT_FALSE(parse_order(":asc"));
    EXPECT_NE(parse_order("params.:asc").error().find("--sort"), std::string::npos);
}

} // namespace
} // namespace mv::daemon
