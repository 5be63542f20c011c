// The `at` rule: daily local times, across midnight and month ends, several times a day,
// a missed time while down, and both rules together. All in Europe/Berlin, whose offset
// (+01:00 in winter, +02:00 in summer) makes local and UTC dates differ around midnight.
#include <gtest/gtest.h>

#include "scheduler/next_fire.hpp"
#include "tests/unit/scheduler/scheduler_test_support.hpp"

namespace mv::scheduler {
namespace {

using namespace std::chrono_literals;
using test::instant;

using test::at;
class NextFireAt : public test::ZonedTest {
protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin")); }
};

TEST_F(NextFireAt, FiresLaterTheSameDay) {
    EXPECT_TIME_EQ(next_fire(at({{14, 0}}), std::nullopt, instant("2024-06-10T09:12+02:00")),
                   instant("2024-06-10T14:00+02:00"));
}

TEST_F(NextFireAt, CrossesMidnight) {
    // 23:59 with a daily 00:00: the next day, one minute later.
    EXPECT_TIME_EQ(next_fire(at({{0, 0}}), std::nullopt, instant("2024-06-10T23:59+02:00")),
                   instant("2024-06-11T00:00+02:00"));
    // A daily 23:59 that has just fired: 24 hours later.
    const SystemTime fired = instant("2024-06-10T23:59:00.004+02:00");
    EXPECT_TIME_EQ(next_fire(at({{23, 59}}), fired, fired + 30s),
                   instant("2024-06-11T23:59+02:00"));
}

TEST_F(NextFireAt, CurrentMinuteStillCountsUntilItFired) {
    // Started at 02:00:30 without a previous fire: the 02:00 run is due now.
    const SystemTime now = instant("2024-06-10T02:00:30+02:00");
    EXPECT_TIME_EQ(next_fire(at({{2, 0}}), std::nullopt, now), now);
    // Once it fired at 02:00:00.003 it is tomorrow's turn.
    EXPECT_TIME_EQ(next_fire(at({{2, 0}}), instant("2024-06-10T02:00:00.003+02:00"), now),
                   instant("2024-06-11T02:00+02:00"));
}

TEST_F(NextFireAt, CrossesMonthEnds) {
    const auto next_six = [](std::string_view now) {
        return next_fire(at({{6, 0}}), std::nullopt, instant(now));
    };
    EXPECT_TIME_EQ(next_six("2024-01-31T12:00+01:00"), instant("2024-02-01T06:00+01:00"));
    EXPECT_TIME_EQ(next_six("2024-04-30T12:00+02:00"), instant("2024-05-01T06:00+02:00"));
    // February in a common year and in a leap year.
    EXPECT_TIME_EQ(next_six("2023-02-28T12:00+01:00"), instant("2023-03-01T06:00+01:00"));
    EXPECT_TIME_EQ(next_six("2024-02-28T12:00+01:00"), instant("2024-02-29T06:00+01:00"));
    EXPECT_TIME_EQ(next_six("2024-02-29T12:00+01:00"), instant("2024-03-01T06:00+01:00"));
    EXPECT_TIME_EQ(next_six("2100-02-28T12:00+01:00"), instant("2100-03-01T06:00+01:00"));
    // Year end, with the local midnight an hour before the UTC one.
    EXPECT_TIME_EQ(next_fire(at({{0, 0}}), std::nullopt, instant("2024-12-31T22:00+01:00")),
                   instant("2025-01-01T00:00+01:00"));
}

TEST_F(NextFireAt, SeveralTimesFireInDayOrder) {
    // Unsorted on purpose: the order of `at` does not matter.
    const config::ScheduleTrigger schedule = at({{20, 30}, {2, 0}, {14, 0}});
    const std::vector<SystemTime> expected = {
        instant("2024-06-10T02:00+02:00"), instant("2024-06-10T14:00+02:00"),
        instant("2024-06-10T20:30+02:00"), instant("2024-06-11T02:00+02:00")};
    // Simulate a daemon that fires exactly on time, starting at 01:00.
    std::optional<SystemTime> last;
    SystemTime now = instant("2024-06-10T01:00+02:00");
    for (const SystemTime& want : expected) {
        const SystemTime next = next_fire(schedule, last, now);
        EXPECT_TIME_EQ(next, want);
        last = next;
        now = next;
    }
}

TEST_F(NextFireAt, MissedTimeWhileDownFiresOnceAtNow) {
    const config::ScheduleTrigger schedule = at({{2, 0}, {14, 0}});
    // Last fire yesterday 14:00; down through today's 02:00; back at 09:00.
    const SystemTime now = instant("2024-06-10T09:00:05+02:00");
    const SystemTime fired = next_fire(schedule, instant("2024-06-09T14:00+02:00"), now);
    EXPECT_TIME_EQ(fired, now);
    // After that single catch-up the regular times continue.
    EXPECT_TIME_EQ(next_fire(schedule, fired, fired), instant("2024-06-10T14:00+02:00"));
    // Down for a whole week: still one catch-up, not fourteen.
    const SystemTime later = instant("2024-06-17T09:00+02:00");
    EXPECT_TIME_EQ(next_fire(schedule, instant("2024-06-10T14:00+02:00"), later), later);
}

TEST_F(NextFireAt, DowntimeWithoutMissedTimeDoesNotCatchUp) {
    // Last fire yesterday 14:00, down until 01:00: nothing was due in between.
    EXPECT_TIME_EQ(next_fire(at({{2, 0}, {14, 0}}), instant("2024-06-09T14:00+02:00"),
                             instant("2024-06-10T01:00+02:00")),
                   instant("2024-06-10T02:00+02:00"));
}

TEST_F(NextFireAt, BothRulesTheEarlierWins) {
    config::ScheduleTrigger schedule = at({{2, 0}, {14, 0}});
    schedule.every = 6h;
    // Fired at 10:00: every says 16:00, at says 14:00.
    const SystemTime ten = instant("2024-06-10T10:00+02:00");
    EXPECT_TIME_EQ(next_fire(schedule, ten, ten), instant("2024-06-10T14:00+02:00"));
    // Fired at 14:00: every says 20:00, at says 02:00 tomorrow.
    const SystemTime two_pm = instant("2024-06-10T14:00+02:00");
    EXPECT_TIME_EQ(next_fire(schedule, two_pm, two_pm), instant("2024-06-10T20:00+02:00"));
    // Down past both: one catch-up at now.
    const SystemTime now = instant("2024-06-11T09:00+02:00");
    EXPECT_TIME_EQ(next_fire(schedule, two_pm, now), now);
}

TEST_F(NextFireAt, ClockSteppedBackWaitsAtMostADay) {
    // The last fire lies a year ahead (a bad RTC that was corrected): today's time counts.
    const SystemTime now = instant("2024-06-10T09:00+02:00");
    EXPECT_TIME_EQ(next_fire(at({{14, 0}}), instant("2025-06-10T14:00+02:00"), now),
                   instant("2024-06-10T14:00+02:00"));
}

} // namespace
} // namespace mv::scheduler
