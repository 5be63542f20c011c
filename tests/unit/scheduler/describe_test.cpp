// describe(): the schedule in words, as logs and `status` show it.
#include <gtest/gtest.h>

#include "scheduler/next_fire.hpp"

namespace mv::scheduler {
namespace {

using namespace std::chrono_literals;

config::ScheduleTrigger schedule(std::optional<config::Duration> every,
                                 std::vector<config::TimeOfDay> at) {
    config::ScheduleTrigger result;
    result.every = every;
    result.at = std::move(at);
    return result;
}

TEST(Describe, BothRules) {
    EXPECT_EQ(describe(schedule(6h, {{2, 0}, {14, 0}})), "every 6h, at 02:00 and 14:00");
}

TEST(Describe, EveryAlone) {
    EXPECT_EQ(describe(schedule(30min, {})), "every 30m");
    EXPECT_EQ(describe(schedule(1s, {})), "every 1s");
}

TEST(Describe, AtAlone) {
    EXPECT_EQ(describe(schedule(std::nullopt, {{2, 5}})), "at 02:05");
    EXPECT_EQ(describe(schedule(std::nullopt, {{0, 0}, {8, 30}, {23, 59}})),
              "at 00:00, 08:30 and 23:59");
}

TEST(Describe, NoRule) {
    EXPECT_EQ(describe(schedule(std::nullopt, {})), "never");
}

} // namespace
} // namespace mv::scheduler
