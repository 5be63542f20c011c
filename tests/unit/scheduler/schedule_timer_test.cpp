// ScheduleTimer on a real io_context: with the system clock (real waiting, bounded) and
// with a fake clock and a short max_sleep, so clock steps are tested without sleeping
// for hours.
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "scheduler/schedule_timer.hpp"
#include "tests/lib/fake_clock.hpp"
#include "tests/unit/scheduler/scheduler_test_support.hpp"
#include "util/error.hpp"

namespace mv::scheduler {
namespace {

using namespace std::chrono_literals;
using test::instant;

using test::every;
// Runs the loop for `duration` of real time (restarting it if it ran out of work).
void run_for(boost::asio::io_context& io, std::chrono::milliseconds duration) {
    io.restart();
    io.run_for(duration);
}

TEST(ScheduleTimer, RealClockFiresEverySecondUntilCancelled) {
    boost::asio::io_context io;
    const SystemClock clock;
    std::vector<SystemTime> fired;
    const SystemTime started = clock.now();
    ScheduleTimer timer(io, clock, every(1s), std::nullopt, [&](SystemTime at) {
        fired.push_back(at);
        if (fired.size() == 2) {
            timer.cancel(); // from inside the callback
        }
    });
    timer.start();
    ASSERT_TRUE(timer.next().has_value());
    EXPECT_GE(*timer.next(), started + 1s);

    // run() only returns once no wake-up is pending, i.e. after cancel() took effect.
    const auto begin = std::chrono::steady_clock::now();
    io.run_for(5s);
    const auto elapsed = std::chrono::steady_clock::now() - begin;

    ASSERT_EQ(fired.size(), 2U);
    EXPECT_LT(elapsed, 4s) << "the loop kept waiting after cancel()";
    EXPECT_GE(fired[0], started + 1s);
    EXPECT_GE(fired[1], fired[0] + 1s);
    EXPECT_FALSE(timer.next().has_value());
    ASSERT_TRUE(timer.last_fire().has_value());
    EXPECT_EQ(*timer.last_fire(), fired[1]);
}

TEST(ScheduleTimer, CancelBeforeTheFirstFireStopsIt) {
    boost::asio::io_context io;
    const SystemClock clock;
    int fired = 0;
    ScheduleTimer timer(io, clock, every(1s), std::nullopt, [&](SystemTime) { ++fired; });
    timer.start();
    // Cancel from the loop after 200 ms. The loop then returns early only if no wake-up
    // is pending any more; otherwise it keeps running (and firing) until 2.5 s.
    boost::asio::steady_timer stopper(io, 200ms);
    stopper.async_wait([&](const boost::system::error_code&) { timer.cancel(); });
    const auto begin = std::chrono::steady_clock::now();
    run_for(io, 2500ms);
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s) << "a wake-up survived cancel()";
    EXPECT_EQ(fired, 0);
    EXPECT_FALSE(timer.next().has_value());
}

TEST(ScheduleTimer, WakingBeforeTheFakeClockIsDueOnlyReArms) {
    boost::asio::io_context io;
    test::FakeClock clock(instant("2024-05-01T10:00Z"));
    std::vector<SystemTime> fired;
    ScheduleTimer timer(
        io, clock, every(1h), std::nullopt, [&](SystemTime at) { fired.push_back(at); }, 10ms);
    timer.start();

    // Step 1: real time passes, the fake clock does not: many wake-ups, no fire.
    run_for(io, 100ms);
    EXPECT_TRUE(fired.empty());
    EXPECT_EQ(timer.next(), instant("2024-05-01T11:00Z"));

    // Step 2: the clock reaches the planned instant: exactly one fire, at that time.
    clock.advance(1h);
    run_for(io, 100ms);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_TIME_EQ(fired[0], instant("2024-05-01T11:00Z"));
    EXPECT_EQ(timer.next(), instant("2024-05-01T12:00Z"));
}

TEST(ScheduleTimer, ClockStepForwardCatchesUpOnce) {
    boost::asio::io_context io;
    test::FakeClock clock(instant("2024-05-01T10:00Z"));
    std::vector<SystemTime> fired;
    ScheduleTimer timer(
        io, clock, every(1h), instant("2024-05-01T09:30Z"),
        [&](SystemTime at) { fired.push_back(at); }, 10ms);
    timer.start();
    // The persisted last fire sets the first plan.
    EXPECT_EQ(timer.next(), instant("2024-05-01T10:30Z"));

    // The wall clock jumps five hours: four runs were missed, one catch-up fires.
    clock.advance(5h);
    run_for(io, 100ms);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_TIME_EQ(fired[0], instant("2024-05-01T15:00Z"));
    EXPECT_EQ(timer.next(), instant("2024-05-01T16:00Z"));
}

TEST(ScheduleTimer, ClockStepBackReplansFromTheNewTime) {
    boost::asio::io_context io;
    test::FakeClock clock(instant("2024-05-01T10:00Z"));
    std::vector<SystemTime> fired;
    ScheduleTimer timer(
        io, clock, every(1h), std::nullopt, [&](SystemTime at) { fired.push_back(at); }, 10ms);
    timer.start();
    EXPECT_EQ(timer.next(), instant("2024-05-01T11:00Z"));

    // The clock is set back a day: waiting for the old plan would take 25 hours.
    clock.set(instant("2024-04-30T10:00Z"));
    run_for(io, 100ms);
    EXPECT_TRUE(fired.empty());
    EXPECT_EQ(timer.next(), instant("2024-04-30T11:00Z"));

    clock.advance(1h);
    run_for(io, 100ms);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_TIME_EQ(fired[0], instant("2024-04-30T11:00Z"));
}

class ScheduleTimerAt : public test::ZonedTest {};

TEST_F(ScheduleTimerAt, FiresAtTheLocalTimeAndPlansTomorrow) {
    ASSERT_NO_FATAL_FAILURE(use_zone("Europe/Berlin"));
    boost::asio::io_context io;
    test::FakeClock clock(instant("2024-06-10T01:59:59+02:00"));
    std::vector<SystemTime> fired;
    config::ScheduleTrigger schedule;
    schedule.at = {{2, 0}};
    ScheduleTimer timer(
        io, clock, schedule, std::nullopt, [&](SystemTime at) { fired.push_back(at); }, 10ms);
    timer.start();
    run_for(io, 50ms);
    EXPECT_TRUE(fired.empty());

    clock.advance(1s);
    run_for(io, 100ms);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_TIME_EQ(fired[0], instant("2024-06-10T02:00+02:00"));
    EXPECT_EQ(timer.next(), instant("2024-06-11T02:00+02:00"));
}

TEST(ScheduleTimer, RejectsAScheduleThatCanNeverFire) {
    boost::asio::io_context io;
    const SystemClock clock;
    const auto make = [&](config::ScheduleTrigger schedule) {
        ScheduleTimer timer(io, clock, std::move(schedule), std::nullopt, [](SystemTime) {});
    };
    EXPECT_THROW(make(config::ScheduleTrigger{}), Error);
    EXPECT_THROW(make(every(0ms)), Error);
    config::ScheduleTrigger bad_time;
    bad_time.at = {{24, 0}};
    EXPECT_THROW(make(bad_time), Error);
}

} // namespace
} // namespace mv::scheduler
