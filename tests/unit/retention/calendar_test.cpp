// Calendar arithmetic under retention: ISO weeks, local-time bucket keys, and "N days
// before" with restic's (Go's) answers across DST changes.

#include <gtest/gtest.h>

#include "retention/calendar.hpp"
#include "tests/unit/retention/helpers.hpp"
#include "tests/unit/retention/tz_guard.hpp"

namespace mv::retention {
namespace {

using test::at;

struct IsoWeekCase {
    const char* time;
    int iso_year;
    int iso_week;
};

TEST(RetentionCalendar, IsoWeeksAcrossYearBoundaries) {
    test::TzGuard tz("UTC");
    const IsoWeekCase cases[] = {
        {"2020-12-31T12:00:00Z", 2020, 53}, // Thursday of 2020's 53rd week
        {"2021-01-01T12:00:00Z", 2020, 53}, // Friday: still 2020-W53
        {"2021-01-03T23:59:59Z", 2020, 53}, // Sunday: last day of 2020-W53
        {"2021-01-04T00:00:00Z", 2021, 1},  // Monday: 2021-W01 starts
        {"2018-12-31T12:00:00Z", 2019, 1},  // Monday of a week whose Thursday is in 2019
        {"2024-12-30T12:00:00Z", 2025, 1},
        {"2016-01-03T07:02:03Z", 2015, 53}, // from restic's own test data
        {"2016-01-04T10:23:03Z", 2016, 1},
        {"2021-06-15T12:00:00Z", 2021, 24},
        {"2027-01-01T12:00:00Z", 2026, 53}, // 2026 starts on a Thursday: 53 weeks
    };
    for (const IsoWeekCase& c : cases) {
        SCOPED_TRACE(c.time);
        const LocalTime local = to_local(at(c.time));
        EXPECT_EQ(local.iso_year, c.iso_year);
        EXPECT_EQ(local.iso_week, c.iso_week);
        EXPECT_EQ(bucket_key(local, Bucket::weekly), c.iso_year * 100 + c.iso_week);
    }
}

TEST(RetentionCalendar, BucketKeysHaveResticShapes) {
    test::TzGuard tz("UTC");
    const LocalTime local = to_local(at("2021-01-04T10:59:59.999Z"));
    EXPECT_EQ(bucket_key(local, Bucket::hourly), 2021010410);
    EXPECT_EQ(bucket_key(local, Bucket::daily), 20210104);
    EXPECT_EQ(bucket_key(local, Bucket::weekly), 202101);
    EXPECT_EQ(bucket_key(local, Bucket::monthly), 202101);
    EXPECT_EQ(bucket_key(local, Bucket::yearly), 2021);
}

TEST(RetentionCalendar, BucketsFollowTheLocalTimeZone) {
    // 03:00 UTC on New Year's Day is still 22:00 on New Year's Eve in New York.
    const SystemTime instant = at("2021-01-01T03:00:00Z");
    {
        test::TzGuard tz("UTC");
        EXPECT_EQ(bucket_key(to_local(instant), Bucket::yearly), 2021);
        EXPECT_EQ(bucket_key(to_local(instant), Bucket::daily), 20210101);
    }
    {
        test::TzGuard tz("America/New_York");
        const LocalTime local = to_local(instant);
        EXPECT_EQ(bucket_key(local, Bucket::hourly), 2020123122);
        EXPECT_EQ(bucket_key(local, Bucket::daily), 20201231);
        EXPECT_EQ(bucket_key(local, Bucket::weekly), 202053);
        EXPECT_EQ(bucket_key(local, Bucket::yearly), 2020);
    }
}

TEST(RetentionCalendar, RepeatedHourIsOneHourlyBucket) {
    // When New York's clocks go back, 01:30 happens twice (EDT, then EST): restic reads
    // the wall clock, so both land in the same hourly bucket.
    test::TzGuard tz("America/New_York");
    const LocalTime first = to_local(at("2021-11-07T05:30:00Z"));
    const LocalTime second = to_local(at("2021-11-07T06:30:00Z"));
    EXPECT_EQ(bucket_key(first, Bucket::hourly), 2021110701);
    EXPECT_EQ(bucket_key(second, Bucket::hourly), 2021110701);
}

TEST(RetentionCalendar, SubSecondTimesBeforeTheEpochRoundDown) {
    test::TzGuard tz("UTC");
    const LocalTime local = to_local(at("1969-12-31T23:59:59.5Z"));
    EXPECT_EQ(bucket_key(local, Bucket::hourly), 1969123123);
}

struct SubtractCase {
    const char* tz;
    const char* from;
    int days;
    const char* expected;
};

TEST(RetentionCalendar, SubtractLocalDaysMovesTheCalendarDate) {
    const SubtractCase cases[] = {
        {"UTC", "2021-03-15T12:00:00Z", 2, "2021-03-13T12:00:00Z"},
        {"UTC", "2021-03-01T00:00:00Z", 1, "2021-02-28T00:00:00Z"},
        {"UTC", "2020-03-01T06:00:00Z", 1, "2020-02-29T06:00:00Z"},
        {"UTC", "2021-01-01T00:00:00Z", 365, "2020-01-02T00:00:00Z"},
        {"UTC", "2021-01-10T00:00:00.25Z", 1, "2021-01-09T00:00:00.25Z"},
        {"UTC", "2021-01-10T00:00:00Z", 0, "2021-01-10T00:00:00Z"},
        // Across New York's spring-forward two calendar days are 47 hours (checked
        // against restic 0.14: --keep-within 2d keeps 12:30 EST but not 11:30 EST).
        {"America/New_York", "2021-03-15T12:00:00-04:00", 2, "2021-03-13T12:00:00-05:00"},
        // 02:30 does not exist on 2021-03-14; Go (and so restic) lands on 01:30 EST.
        {"America/New_York", "2021-03-15T02:30:00-04:00", 1, "2021-03-14T01:30:00-05:00"},
        // 01:30 exists twice on 2021-11-07; Go picks the first one (EDT).
        {"America/New_York", "2021-11-08T01:30:00-05:00", 1, "2021-11-07T01:30:00-04:00"},
        // Across fall-back two calendar days are 49 hours.
        {"America/New_York", "2021-11-08T12:00:00-05:00", 2, "2021-11-06T12:00:00-04:00"},
        // A half-hour DST shift (Lord Howe Island, +10:30 / +11:00).
        {"Australia/Lord_Howe", "2021-04-05T12:00:00+10:30", 2, "2021-04-03T12:00:00+11:00"},
    };
    for (const SubtractCase& c : cases) {
        SCOPED_TRACE(std::string(c.tz) + " " + c.from);
        test::TzGuard tz(c.tz);
        EXPECT_EQ(subtract_local_days(at(c.from), c.days), at(c.expected));
    }
}

} // namespace
} // namespace mv::retention
