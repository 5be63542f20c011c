// Daily `at` times on DST change days: a nonexistent time fires at the end of the gap, an
// ambiguous one once at its first occurrence. Europe/Berlin changes at 02:00/03:00 local,
// America/New_York at 02:00 local (forward) and 02:00 EDT (back).
#include <gtest/gtest.h>

#include "scheduler/next_fire.hpp"
#include "tests/unit/scheduler/scheduler_test_support.hpp"

namespace mv::scheduler {
namespace {

using namespace std::chrono_literals;
using test::instant;

using test::at;
// Fires `schedule` on time from `start` on and returns the first `count` fire instants.
std::vector<SystemTime> fires(const config::ScheduleTrigger& schedule, SystemTime start,
                              std::size_t count) {
    std::vector<SystemTime> result;
    std::optional<SystemTime> last;
    SystemTime now = start;
    while (result.size() < count) {
        const SystemTime next = next_fire(schedule, last, now);
        result.push_back(next);
        last = next;
        now = next;
    }
    return result;
}

class NextFireDst : public test::ZonedTest {};

TEST_F(NextFireDst, BerlinSpringForwardFiresAtTheEndOfTheGap) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    // 2024-03-31 02:30 does not exist: it fires at 03:00 CEST, then normally again.
    const auto got = fires(at({{2, 30}}), instant("2024-03-30T12:00+01:00"), 3);
    ASSERT_EQ(got.size(), 3U);
    EXPECT_TIME_EQ(got[0], instant("2024-03-31T03:00+02:00"));
    EXPECT_TIME_EQ(got[1], instant("2024-04-01T02:30+02:00"));
    EXPECT_TIME_EQ(got[2], instant("2024-04-02T02:30+02:00"));
}

TEST_F(NextFireDst, BerlinTimesSharingTheGapFireOnce) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    // 02:15, 02:45 and 03:00 all fall on 03:00 CEST that day: one fire, then 1:00 next day.
    const auto got =
        fires(at({{1, 0}, {2, 15}, {2, 45}, {3, 0}}), instant("2024-03-31T01:30+01:00"), 2);
    ASSERT_EQ(got.size(), 2U);
    EXPECT_TIME_EQ(got[0], instant("2024-03-31T03:00+02:00"));
    EXPECT_TIME_EQ(got[1], instant("2024-04-01T01:00+02:00"));
}

TEST_F(NextFireDst, BerlinFallBackFiresOnceAtTheFirstOccurrence) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    // 2024-10-27 02:30 happens at 00:30Z (CEST) and 01:30Z (CET): only the first fires.
    const auto got = fires(at({{2, 30}}), instant("2024-10-26T12:00+02:00"), 3);
    ASSERT_EQ(got.size(), 3U);
    EXPECT_TIME_EQ(got[0], instant("2024-10-27T02:30+02:00"));
    EXPECT_TIME_EQ(got[1], instant("2024-10-28T02:30+01:00"));
    EXPECT_TIME_EQ(got[2], instant("2024-10-29T02:30+01:00"));
}

TEST_F(NextFireDst, BerlinStartedDuringTheRepeatedHourWaitsForTomorrow) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    // Started at 02:10 CET, after the first 02:30 (CEST) passed: the repeat is not a run.
    EXPECT_TIME_EQ(next_fire(at({{2, 30}}), std::nullopt, instant("2024-10-27T02:10+01:00")),
                   instant("2024-10-28T02:30+01:00"));
    // With a fire recorded at the first occurrence, the repeat is not a missed run either.
    EXPECT_TIME_EQ(next_fire(at({{2, 30}}), instant("2024-10-27T02:30+02:00"),
                             instant("2024-10-27T02:40+01:00")),
                   instant("2024-10-28T02:30+01:00"));
}

TEST_F(NextFireDst, NewYorkSpringForward) {
    ASSERT_NO_FATAL_FAILURE(use_zone("America/New_York"));
    // 2024-03-10 02:15 does not exist; 03:00 EDT is the first instant after the gap.
    const auto got = fires(at({{2, 15}}), instant("2024-03-09T23:00-05:00"), 2);
    ASSERT_EQ(got.size(), 2U);
    EXPECT_TIME_EQ(got[0], instant("2024-03-10T03:00-04:00"));
    EXPECT_TIME_EQ(got[1], instant("2024-03-11T02:15-04:00"));
}

TEST_F(NextFireDst, NewYorkFallBack) {
    ASSERT_NO_FATAL_FAILURE(use_zone("America/New_York"));
    // 2024-11-03 01:30 happens in EDT and again in EST: it fires in EDT only.
    const auto got = fires(at({{1, 30}}), instant("2024-11-02T20:00-04:00"), 2);
    ASSERT_EQ(got.size(), 2U);
    EXPECT_TIME_EQ(got[0], instant("2024-11-03T01:30-04:00"));
    EXPECT_TIME_EQ(got[1], instant("2024-11-04T01:30-05:00"));
}

TEST_F(NextFireDst, EveryAndAtAcrossNewYorkFallBack) {
    ASSERT_NO_FATAL_FAILURE(use_zone("America/New_York"));
    config::ScheduleTrigger schedule = at({{1, 30}});
    schedule.every = 1h;
    // From 00:30 EDT both rules give 01:30 EDT; then `every` counts real hours (02:30 EDT
    // is 01:30 EST) while the repeated 01:30 is no `at` run: `at` waits for Nov 4.
    const auto got = fires(schedule, instant("2024-11-03T00:30-04:00"), 3);
    ASSERT_EQ(got.size(), 3U);
    EXPECT_TIME_EQ(got[0], instant("2024-11-03T01:30-04:00"));
    EXPECT_TIME_EQ(got[1], instant("2024-11-03T01:30-05:00"));
    EXPECT_TIME_EQ(got[2], instant("2024-11-03T02:30-05:00"));
}

TEST_F(NextFireDst, SaoPauloMidnightGap) {
    ASSERT_NO_FATAL_FAILURE(use_zone("America/Sao_Paulo"));
    // 2018-11-04 began at 01:00 (-02:00): a daily 00:00 fires then, and the next at 00:00.
    const auto got = fires(at({{0, 0}}), instant("2018-11-03T12:00-03:00"), 2);
    ASSERT_EQ(got.size(), 2U);
    EXPECT_TIME_EQ(got[0], instant("2018-11-04T01:00-02:00"));
    EXPECT_TIME_EQ(got[1], instant("2018-11-05T00:00-02:00"));
}

} // namespace
} // namespace mv::scheduler
