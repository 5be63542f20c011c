// The metric history chart: one point per version with the metric, oldest first, the
// best ringed, the trigger as the point's class; names escaped.
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "web/chart.hpp"

namespace mv::web {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// `list` rows, newest first, as the command gives them.
json rows() {
    return json::array({{{"version", "1.2.0"},
                         {"trigger", "manual"},
                         {"tags", json::array()},
                         {"metrics", {{"eval", {{"win_rate", 0.7}}}, {"loss", 0.2}}}},
                        {{"version", "1.1.0"},
                         {"trigger", "improvement"},
                         {"tags", {"best"}},
                         {"metrics", {{"eval", {{"win_rate", 0.8}}}}}},
                        {{"version", "1.0.1"},
                         {"trigger", "change"},
                         {"tags", json::array()},
                         {"metrics", json::object()}},
                        {{"version", "1.0.0"},
                         {"trigger", "change"},
                         {"tags", json::array()},
                         {"metrics", {{"eval", {{"win_rate", 0.5}, {"name", "x"}}}, {"a/b", 1}}}}});
}

std::size_t count(const std::string& text, const std::string& pattern) {
    const std::regex re(pattern);
    return static_cast<std::size_t>(
        std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

TEST(Chart, MetricNamesAreTheNumericLeavesAsPointers) {
    EXPECT_EQ(metric_names(rows()), (std::vector<std::string>{"/a~1b", "/eval/win_rate", "/loss"}));
}

TEST(Chart, OnePointPerVersionWithTheMetricOldestFirst) {
    const auto points = chart_points(rows(), "/eval/win_rate");
    ASSERT_EQ(points.size(), 3u);
    EXPECT_EQ(points[0].version, "1.0.0");
    EXPECT_EQ(points[1].version, "1.1.0");
    EXPECT_TRUE(points[1].best);
    EXPECT_EQ(points[1].trigger, "improvement");
    EXPECT_EQ(points[2].value, 0.7);
    EXPECT_TRUE(chart_points(rows(), "not a pointer").empty());
    const std::string svg = chart_svg(points, "/eval/win_rate");
    EXPECT_EQ(count(svg, "<circle class=\"point "), 3u);
    EXPECT_EQ(count(svg, "class=\"best-ring\""), 1u);
    EXPECT_THAT(svg, HasSubstr("class=\"point trigger-improvement\""));
    EXPECT_THAT(svg, HasSubstr("data-version=\"1.1.0\""));
    // The highest value is at the top of the plot, the lowest at the bottom.
    EXPECT_THAT(svg, HasSubstr("cx=\"385.0\" cy=\"20.0\" r=\"5\" data-version=\"1.1.0\""));
    EXPECT_THAT(svg, HasSubstr("cx=\"70.0\" cy=\"200.0\" r=\"5\" data-version=\"1.0.0\""));
}

TEST(Chart, NamesAreEscapedAndNoPointsGiveANote) {
    const std::string svg = chart_svg({{"<1>", 1, "x\"y", false}}, "/m<script>");
    EXPECT_EQ(svg.find("<script>"), std::string::npos);
    EXPECT_THAT(svg, HasSubstr("&lt;1&gt;"));
    EXPECT_THAT(svg, HasSubstr("trigger-x&quot;y"));
    EXPECT_EQ(chart_svg({}, "/m"), "<p class=\"no-chart\">No version recorded the metric /m.</p>");
}

} // namespace
} // namespace mv::web
