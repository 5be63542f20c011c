// util/local_time: the one module that reads the time zone. The calendar maths above it
// (scheduler, retention) has its own DST tests; these check the primitives themselves.
#include <gtest/gtest.h>

#include "tests/unit/retention/tz_guard.hpp"
#include "util/local_time.hpp"

namespace mv {
namespace {

TEST(LocalTime, ReadsTheWallClockAndItsOffset) {
    test::TzGuard tz("Europe/Berlin");
    const SystemTime summer = *parse_time("2026-07-01T10:00:00Z");
    const LocalFields f =
        local_fields(std::chrono::floor<std::chrono::seconds>(summer.time_since_epoch()).count());
    EXPECT_EQ(f.year, 2026);
    EXPECT_EQ(f.month, 7);
    EXPECT_EQ(f.day, 1);
    EXPECT_EQ(f.hour, 12);
    EXPECT_EQ(f.utc_offset, 2 * 3600);
    EXPECT_EQ(format_local(summer), "2026-07-01 12:00:00");
    EXPECT_EQ(format_local(*parse_time("2026-12-31T23:30:00Z")), "2027-01-01 00:30:00");
}

TEST(LocalTime, AnHourRepeatedAtFallBackHasTwoInstantsChosenByTheHint) {
    test::TzGuard tz("Europe/Berlin");
    // 2026-10-25 02:30 happens twice: at 00:30Z (summer time) and 01:30Z (standard time).
    const LocalFields wall{2026, 10, 25, 2, 30, 0, 0};
    const auto daylight = local_instant(wall, DstHint::daylight);
    const auto standard = local_instant(wall, DstHint::standard);
    EXPECT_EQ(standard - daylight, 3600);
    EXPECT_EQ(SystemTime{std::chrono::seconds{daylight}}, *parse_time("2026-10-25T00:30:00Z"));
}

TEST(LocalTime, ReloadingTheZoneFollowsTz) {
    const SystemTime t = *parse_time("2026-01-15T12:00:00Z");
    {
        test::TzGuard tz("UTC");
        reload_time_zone();
        EXPECT_EQ(format_local(t), "2026-01-15 12:00:00");
    }
    {
        test::TzGuard tz("Asia/Tokyo");
        reload_time_zone();
        EXPECT_EQ(format_local(t), "2026-01-15 21:00:00");
    }
}

} // namespace
} // namespace mv
