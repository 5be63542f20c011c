// Durations: every unit, combinations, zero, and every way a duration can be wrong.
#include <limits>
#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/duration.hpp"

namespace mv::config {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* k_expected = "expected a duration such as 30s, 5m, 6h, 7d";

Duration parsed(std::string_view text) {
    auto result = parse_duration(text);
    if (!result) {
        throw std::runtime_error(result.error());
    }
    return *result;
}

std::string error_of(std::string_view text) {
    auto result = parse_duration(text);
    return result ? "parsed as " + std::to_string(result->count()) + "ms" : result.error();
}

TEST(ParseDuration, EachUnit) {
    EXPECT_EQ(parsed("500ms"), 500ms);
    EXPECT_EQ(parsed("30s"), 30s);
    EXPECT_EQ(parsed("5m"), 5min);
    EXPECT_EQ(parsed("6h"), 6h);
    EXPECT_EQ(parsed("7d"), 7 * 24h);
    EXPECT_EQ(parsed("2w"), 14 * 24h);
}

TEST(ParseDuration, MinutesAndMillisecondsAreToldApart) {
    EXPECT_EQ(parsed("5m"), 300000ms);
    EXPECT_EQ(parsed("5ms"), 5ms);
    EXPECT_EQ(parsed("1m5ms"), 60005ms);
}

TEST(ParseDuration, Combinations) {
    EXPECT_EQ(parsed("1h30m"), 90min);
    EXPECT_EQ(parsed("1d12h"), 36h);
    EXPECT_EQ(parsed("1w2d3h4m5s6ms"), 7 * 24h + 2 * 24h + 3h + 4min + 5s + 6ms);
}

TEST(ParseDuration, ZeroInAnyUnit) {
    EXPECT_EQ(parsed("0s"), 0ms);
    EXPECT_EQ(parsed("0d"), 0ms);
    EXPECT_EQ(parsed("0ms"), 0ms);
    EXPECT_EQ(parsed("000h"), 0ms);
}

TEST(ParseDuration, LargestValueFitsAndOneMoreOverflows) {
    const auto max = std::numeric_limits<Duration::rep>::max();
    EXPECT_EQ(parsed(std::to_string(max) + "ms"), Duration(max));
    // One past the maximum while reading the number itself.
    EXPECT_EQ(error_of("9223372036854775808ms"),
              std::string(k_expected) + ", got \"9223372036854775808ms\" (too large)");
    // A number that fits but overflows once multiplied by its unit.
    EXPECT_THAT(error_of("15250284453w"), HasSubstr("(too large)"));
    EXPECT_EQ(parsed("15250284452w"), 15250284452 * 7 * 24h);
    // Two parts that fit alone but not together.
    EXPECT_THAT(error_of(std::to_string(max) + "ms1ms"), HasSubstr("(too large)"));
}

TEST(ParseDuration, EmptyText) {
    EXPECT_EQ(error_of(""), std::string(k_expected) + ", got \"\" (empty)");
}

TEST(ParseDuration, MissingUnit) {
    EXPECT_EQ(error_of("30"),
              std::string(k_expected) + ", got \"30\" (missing unit: add ms, s, m, h, d or w)");
    EXPECT_THAT(error_of("1h30"), HasSubstr("missing unit"));
}

TEST(ParseDuration, UnknownUnit) {
    EXPECT_EQ(error_of("5x"), std::string(k_expected) +
                                  ", got \"5x\" (unknown unit \"x\"; units are ms, s, m, h, d, w)");
    EXPECT_THAT(error_of("5S"), HasSubstr("unknown unit \"S\""));
    EXPECT_THAT(error_of("3days"), HasSubstr("unknown unit \"days\""));
    EXPECT_THAT(error_of("2mo"), HasSubstr("unknown unit \"mo\""));
}

TEST(ParseDuration, NegativeIsRejected) {
    EXPECT_EQ(error_of("-5s"),
              std::string(k_expected) + ", got \"-5s\" (a duration cannot be negative)");
}

TEST(ParseDuration, FractionsAreRejectedWithAHint) {
    EXPECT_THAT(error_of("1.5h"),
                HasSubstr("fractions are not supported; combine units instead, e.g. 1h30m"));
}

TEST(ParseDuration, NumberMissingOrStrayCharacters) {
    EXPECT_THAT(error_of("h"), HasSubstr("unexpected \"h\" where a number should be"));
    EXPECT_THAT(error_of(" 5s"), HasSubstr("unexpected \" \""));
    EXPECT_THAT(error_of("5s "), HasSubstr("unexpected \" \""));
    EXPECT_THAT(error_of("2 seconds"),
                HasSubstr("unexpected \" \" after a number; expected a unit: ms, s, m, h, d or w"));
    EXPECT_THAT(error_of("1h 30m"), HasSubstr("unexpected \" \""));
    EXPECT_THAT(error_of("+5s"), StartsWith(k_expected));
}

TEST(FormatDuration, LargestExactUnit) {
    EXPECT_EQ(format_duration(90s), "90s");
    EXPECT_EQ(format_duration(7200000ms), "2h");
    EXPECT_EQ(format_duration(90min), "90m");
    EXPECT_EQ(format_duration(7 * 24h), "1w");
    EXPECT_EQ(format_duration(3 * 24h), "3d");
    EXPECT_EQ(format_duration(500ms), "500ms");
    EXPECT_EQ(format_duration(1500ms), "1500ms");
}

TEST(FormatDuration, ZeroAndNegative) {
    EXPECT_EQ(format_duration(0ms), "0s");
    EXPECT_EQ(format_duration(-5s), "-5s");
}

TEST(FormatDuration, CombinationWhenShorter) {
    // "604800001ms" is exact but "1w1ms" says the same in fewer characters.
    EXPECT_EQ(format_duration(7 * 24h + 1ms), "1w1ms");
}

TEST(FormatDuration, RoundTripsThroughParse) {
    for (const Duration duration :
         {Duration(1), Duration(999), Duration(60001), Duration(3600000), Duration(86400000 + 1000),
          Duration(123456789), Duration(std::numeric_limits<Duration::rep>::max())}) {
        SCOPED_TRACE(duration.count());
        EXPECT_EQ(parsed(format_duration(duration)), duration);
    }
}

} // namespace
} // namespace mv::config
