// The Prometheus text format as node_exporter reads it: HELP and TYPE, labels escaped,
// numbers without needless decimals, cumulative histogram buckets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/exposition.hpp"
#include "metrics/histogram.hpp"

namespace mv::metrics {
namespace {

TEST(Exposition, FamiliesRenderWithHelpTypeAndLabels) {
    const std::string text =
        render({{"modelvault_versions_created_total",
                 "Versions written.",
                 Type::counter,
                 {{"", {{"trigger", "change"}}, 3}, {"", {{"trigger", "manual"}}, 0}}},
                {"modelvault_vault_free_bytes", "Free.", Type::gauge, {{"", {}, 1.5e12}}}});
    EXPECT_EQ(text, "# HELP modelvault_versions_created_total Versions written.\n"
                    "# TYPE modelvault_versions_created_total counter\n"
                    "modelvault_versions_created_total{trigger=\"change\"} 3\n"
                    "modelvault_versions_created_total{trigger=\"manual\"} 0\n"
                    "# HELP modelvault_vault_free_bytes Free.\n"
                    "# TYPE modelvault_vault_free_bytes gauge\n"
                    "modelvault_vault_free_bytes 1500000000000\n");
}

TEST(Exposition, LabelValuesAndHelpAreEscaped) {
    const std::string text =
        render({{"m", "a \\ b\nc", Type::gauge, {{"", {{"watch", "a\"b\\c\nd"}, {"x", "y"}}, 1}}}});
    EXPECT_THAT(text, ::testing::HasSubstr("# HELP m a \\\\ b\\nc\n"));
    EXPECT_THAT(text, ::testing::HasSubstr("m{watch=\"a\\\"b\\\\c\\nd\",x=\"y\"} 1\n"));
}

TEST(Exposition, ValuesPrintExactly) {
    EXPECT_EQ(format_value(0), "0");
    EXPECT_EQ(format_value(18446744073709.0), "18446744073709");
    EXPECT_EQ(format_value(0.25), "0.25");
    EXPECT_EQ(format_value(1795000000.5), "1795000000.5");
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(Histogram, BucketsAreCumulativeWithInfSumAndCount) {
    Histogram histogram({0.5, 1, 5});
    for (const double seconds : {0.1, 0.5, 0.7, 3.0, 120.0}) {
        histogram.observe(seconds);
    }
    const std::string text = render({histogram.family("d_seconds", "h")});
    EXPECT_EQ(text, "# HELP d_seconds h\n# TYPE d_seconds histogram\n"
                    "d_seconds_bucket{le=\"0.5\"} 2\n"
                    "d_seconds_bucket{le=\"1\"} 3\n"
                    "d_seconds_bucket{le=\"5\"} 4\n"
                    "d_seconds_bucket{le=\"+Inf\"} 5\n"
                    "d_seconds_sum 124.3\n"
                    "d_seconds_count 5\n");
}

} // namespace
} // namespace mv::metrics
