// Resolving a local wall time to an instant, including both DST corner cases.
#include <gtest/gtest.h>

#include "scheduler/local_time.hpp"
#include "tests/unit/scheduler/scheduler_test_support.hpp"

namespace mv::scheduler {
namespace {

using test::instant;

class LocalTimeTest : public test::ZonedTest {};

TEST_F(LocalTimeTest, AddDaysRollsOverMonthLeapDayAndYearEnds) {
    EXPECT_EQ(add_days({2024, 1, 31}, 1), (LocalDate{2024, 2, 1}));
    EXPECT_EQ(add_days({2023, 2, 28}, 1), (LocalDate{2023, 3, 1}));
    EXPECT_EQ(add_days({2024, 2, 28}, 1), (LocalDate{2024, 2, 29}));
    EXPECT_EQ(add_days({2024, 2, 29}, 1), (LocalDate{2024, 3, 1}));
    EXPECT_EQ(add_days({2024, 12, 31}, 1), (LocalDate{2025, 1, 1}));
    EXPECT_EQ(add_days({2025, 1, 1}, -1), (LocalDate{2024, 12, 31}));
    EXPECT_EQ(add_days({2024, 3, 1}, -1), (LocalDate{2024, 2, 29}));
}

TEST_F(LocalTimeTest, LocalDateFollowsTheZoneNotUtc) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    // 23:30 UTC on Dec 31 is already New Year's Day in Berlin.
    EXPECT_EQ(local_date(instant("2024-12-31T23:30Z")), (LocalDate{2025, 1, 1}));
    ASSERT_NO_FATAL_FAILURE(use_zone("America/New_York"));
    EXPECT_EQ(local_date(instant("2025-01-01T03:30Z")), (LocalDate{2024, 12, 31}));
}

TEST_F(LocalTimeTest, OrdinaryTimeResolvesToItsInstant) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    EXPECT_TIME_EQ(resolve_local({2024, 1, 15}, {2, 0}), instant("2024-01-15T02:00+01:00"));
    EXPECT_TIME_EQ(resolve_local({2024, 7, 15}, {14, 30}), instant("2024-07-15T14:30+02:00"));
}

TEST_F(LocalTimeTest, TimeInSpringForwardGapResolvesToTheEndOfTheGap) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    // 2024-03-31: Berlin jumps from 02:00 CET straight to 03:00 CEST.
    EXPECT_TIME_EQ(resolve_local({2024, 3, 31}, {2, 0}), instant("2024-03-31T03:00+02:00"));
    EXPECT_TIME_EQ(resolve_local({2024, 3, 31}, {2, 30}), instant("2024-03-31T03:00+02:00"));
    EXPECT_TIME_EQ(resolve_local({2024, 3, 31}, {2, 59}), instant("2024-03-31T03:00+02:00"));
    // The minutes around the gap are untouched.
    EXPECT_TIME_EQ(resolve_local({2024, 3, 31}, {1, 59}), instant("2024-03-31T01:59+01:00"));
    EXPECT_TIME_EQ(resolve_local({2024, 3, 31}, {3, 0}), instant("2024-03-31T03:00+02:00"));

    ASSERT_NO_FATAL_FAILURE(use_zone("America/New_York"));
    // 2024-03-10: New York jumps from 02:00 EST to 03:00 EDT.
    EXPECT_TIME_EQ(resolve_local({2024, 3, 10}, {2, 15}), instant("2024-03-10T03:00-04:00"));
}

TEST_F(LocalTimeTest, AmbiguousFallBackTimeResolvesToItsFirstOccurrence) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    // 2024-10-27: 02:00..02:59 happens twice, first in CEST (+02:00), then in CET.
    EXPECT_TIME_EQ(resolve_local({2024, 10, 27}, {2, 30}), instant("2024-10-27T02:30+02:00"));
    EXPECT_TIME_EQ(resolve_local({2024, 10, 27}, {2, 0}), instant("2024-10-27T02:00+02:00"));
    EXPECT_TIME_EQ(resolve_local({2024, 10, 27}, {3, 0}), instant("2024-10-27T03:00+01:00"));

    ASSERT_NO_FATAL_FAILURE(use_zone("America/New_York"));
    // 2024-11-03: 01:00..01:59 happens first in EDT (-04:00), then in EST.
    EXPECT_TIME_EQ(resolve_local({2024, 11, 3}, {1, 30}), instant("2024-11-03T01:30-04:00"));
}

TEST_F(LocalTimeTest, MidnightGapMovesTheTimeToOneOClock) {
    ASSERT_NO_FATAL_FAILURE(use_zone("America/Sao_Paulo"));
    // 2018-11-04: Sao Paulo sprang forward at midnight, so that day began at 01:00 -02:00.
    EXPECT_TIME_EQ(resolve_local({2018, 11, 4}, {0, 0}), instant("2018-11-04T01:00-02:00"));
    EXPECT_TIME_EQ(resolve_local({2018, 11, 4}, {0, 45}), instant("2018-11-04T01:00-02:00"));
    EXPECT_EQ(local_date(instant("2018-11-04T01:00-02:00")), (LocalDate{2018, 11, 4}));
}

} // namespace
} // namespace mv::scheduler
