// The `every` rule: an absolute interval counted from the last fire, with one catch-up.
#include <gtest/gtest.h>

#include "scheduler/next_fire.hpp"
#include "tests/unit/scheduler/scheduler_test_support.hpp"

namespace mv::scheduler {
namespace {

using namespace std::chrono_literals;
using test::instant;

using test::every;
TEST(NextFireEvery, NeverFiredFiresOneIntervalFromNow) {
    const SystemTime now = instant("2024-05-01T10:00:00.250Z");
    EXPECT_TIME_EQ(next_fire(every(6h), std::nullopt, now), now + 6h);
}

TEST(NextFireEvery, CountsFromTheLastFire) {
    const SystemTime last = instant("2024-05-01T10:00Z");
    EXPECT_TIME_EQ(next_fire(every(6h), last, last), instant("2024-05-01T16:00Z"));
    // Later reads of the clock do not move the plan.
    EXPECT_TIME_EQ(next_fire(every(6h), last, instant("2024-05-01T15:59:59Z")),
                   instant("2024-05-01T16:00Z"));
    // Exactly due: the planned instant, which is now.
    EXPECT_TIME_EQ(next_fire(every(6h), last, instant("2024-05-01T16:00Z")),
                   instant("2024-05-01T16:00Z"));
}

TEST(NextFireEvery, DowntimeCatchesUpWithExactlyOneImmediateFire) {
    // The daemon fired at 10:00 and was down for 20 hours: three runs were missed.
    const config::ScheduleTrigger schedule = every(6h);
    SystemTime last = instant("2024-05-01T10:00Z");
    SystemTime now = instant("2024-05-02T06:00:30Z");

    // Step 1: the first plan after start-up is "now".
    const SystemTime first = next_fire(schedule, last, now);
    EXPECT_TIME_EQ(first, now);

    // Step 2: after that fire the schedule continues from it, not with the missed runs.
    last = first;
    now += 1s;
    EXPECT_TIME_EQ(next_fire(schedule, last, now), instant("2024-05-02T12:00:30Z"));
}

TEST(NextFireEvery, IntervalIsAbsoluteAcrossDst) {
    // Berlin falls back at 03:00 CEST on 2024-10-27; one hour later is 02:30 CET.
    EXPECT_TIME_EQ(
        next_fire(every(1h), instant("2024-10-27T02:30+02:00"), instant("2024-10-27T02:30+02:00")),
        instant("2024-10-27T02:30+01:00"));
}

TEST(NextFireEvery, ClockSteppedBackWaitsAtMostOneInterval) {
    // The last fire lies a day in the future: the clock was stepped back.
    const SystemTime now = instant("2024-05-01T10:00Z");
    EXPECT_TIME_EQ(next_fire(every(6h), now + 24h, now), now + 6h);
}

TEST(NextFireEvery, NoRuleNeverFires) {
    const SystemTime now = instant("2024-05-01T10:00Z");
    EXPECT_EQ(next_fire(config::ScheduleTrigger{}, std::nullopt, now), SystemTime::max());
    EXPECT_EQ(next_fire(every(0ms), now, now), SystemTime::max());
}

} // namespace
} // namespace mv::scheduler
