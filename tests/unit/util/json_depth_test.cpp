#include <gtest/gtest.h>

#include "util/json_depth.hpp"

namespace mv {
namespace {

TEST(JsonDepth, CountsArraysAndObjects) {
    EXPECT_EQ(json_nesting_depth("42", 64), 0u);
    EXPECT_EQ(json_nesting_depth("{}", 64), 1u);
    EXPECT_EQ(json_nesting_depth(R"({"a":[1,{"b":[]}],"c":{}})", 64), 4u);
}

TEST(JsonDepth, IgnoresBracketsInStringsAndComments) {
    EXPECT_EQ(json_nesting_depth(R"({"a":"[[[[\"[[[","b":"\\"})", 64), 1u);
    EXPECT_EQ(json_nesting_depth("// [[[[\n{ /* {{{{ */ }", 64), 1u);
}

TEST(JsonDepth, StopsEarlyOnHostileInput) {
    const std::string deep(1'000'000, '[');
    EXPECT_EQ(json_nesting_depth(deep, 64), 65u);
    EXPECT_FALSE(check_json_depth(deep, "the request"));
    EXPECT_NE(check_json_depth(deep, "the request").error().find("the request nests"),
              std::string::npos);
    EXPECT_TRUE(check_json_depth(std::string(64, '[') + std::string(64, ']'), "x"));
    EXPECT_FALSE(check_json_depth(std::string(65, '[') + std::string(65, ']'), "x"));
}

TEST(JsonDepth, SurvivesMalformedText) {
    EXPECT_EQ(json_nesting_depth("]]]}}[", 64), 1u);
    EXPECT_EQ(json_nesting_depth("\"unterminated [[[", 64), 0u);
    EXPECT_EQ(json_nesting_depth("/* open [[[", 64), 0u);
}

} // namespace
} // namespace mv
