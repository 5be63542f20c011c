// How often a long job's progress reaches its client, on a fake clock.
#include <gtest/gtest.h>

#include "daemon/commands/progress_throttle.hpp"
#include "tests/lib/fake_clock.hpp"

namespace mv::daemon::commands {
namespace {

using namespace std::chrono_literals;

TEST(ProgressThrottle, LetsTheFirstReportThroughThenOnePerInterval) {
    test::FakeClock clock;
    ProgressThrottle throttle(clock, 200ms);
    EXPECT_TRUE(throttle.due());
    EXPECT_FALSE(throttle.due());
    clock.advance(199ms);
    EXPECT_FALSE(throttle.due());
    clock.advance(1ms);
    EXPECT_TRUE(throttle.due());
    EXPECT_FALSE(throttle.due());
}

TEST(ProgressThrottle, FollowsSteadyTimeNotTheWallClock) {
    test::FakeClock clock;
    ProgressThrottle throttle(clock, 200ms);
    EXPECT_TRUE(throttle.due());
    clock.set(clock.now() + 24h); // an admin sets the wall clock: no report is due
    EXPECT_FALSE(throttle.due());
    clock.set(clock.now() - 48h);
    EXPECT_FALSE(throttle.due());
}

} // namespace
} // namespace mv::daemon::commands
