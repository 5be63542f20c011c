#include <limits>

#include <gtest/gtest.h>

#include "util/time.hpp"

namespace mv {
namespace {

TEST(Time, FormatsUtcAndStamps) {
    const auto t = parse_time("2026-11-22T08:34:12Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(format_utc(*t), "2026-11-22T08:34:12Z");
    EXPECT_EQ(format_stamp(*t), "20261122T083412Z");
}

TEST(Time, ParsesIsoForms) {
    const auto base = *parse_time("2026-11-22T08:30:00Z");
    EXPECT_EQ(*parse_time("2026-11-22T08:30"), base);
    EXPECT_EQ(*parse_time("2026-11-22 08:30:00"), base);
    EXPECT_EQ(*parse_time("2026-11-22T09:30:00+01:00"), base);
    EXPECT_EQ(*parse_time("2026-11-22T03:00:00-0530"), base);
    EXPECT_EQ(*parse_time("2026-11-22"), base - std::chrono::minutes(8 * 60 + 30));
    EXPECT_EQ(*parse_time("2026-11-22T08:30:00.250Z") - base, std::chrono::milliseconds(250));
}

TEST(Time, RejectsNonsense) {
    for (const char* bad : {"", "yesterday", "2026-13-01", "2026-02-30", "2026-11-22T25:00",
                            "2026-11-22T08:30:00Q", "2026-11-22T08"}) {
        EXPECT_FALSE(parse_time(bad)) << bad;
    }
}

TEST(Time, RefusesTimesThatWouldWrapAround) {
    // 3000-01-01 in 64-bit nanoseconds wrapped to 1830-11-23 before the fix.
    for (const char* far :
         {"3000-01-01", "2262-04-12", "9999-12-31T23:59:59Z", "1677-01-01", "0001-01-01"}) {
        const auto parsed = parse_time(far);
        ASSERT_FALSE(parsed) << far << " → " << format_utc(*parsed);
        EXPECT_NE(parsed.error().find("out of range"), std::string::npos) << parsed.error();
    }
    EXPECT_EQ(format_utc(*parse_time("2261-12-31T23:59:59Z")), "2261-12-31T23:59:59Z");
    EXPECT_EQ(format_utc(*parse_time("1678-01-01T00:00:00Z")), "1678-01-01T00:00:00Z");
}

TEST(Time, FileTimesSaturateInsteadOfWrapping) {
    EXPECT_EQ(saturating_ns(1, 5), 1'000'000'005);
    EXPECT_EQ(saturating_ns(32'503'680'000, 0), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(saturating_ns(-32'503'680'000, 0), std::numeric_limits<std::int64_t>::min());
}

TEST(Time, HumanForms) {
    EXPECT_EQ(format_bytes(17), "17 B");
    EXPECT_EQ(format_bytes(1536), "1.5 KiB");
    EXPECT_EQ(format_bytes(812ull << 20), "812 MiB");
    EXPECT_EQ(format_elapsed(std::chrono::milliseconds(850)), "850 ms");
    EXPECT_EQ(format_elapsed(std::chrono::milliseconds(2100)), "2.1 s");
    EXPECT_EQ(format_elapsed(std::chrono::seconds(192)), "3 min 12 s");
}

} // namespace
} // namespace mv
