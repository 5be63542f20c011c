// `import --time-from-name`: the shapes of dates and times in legacy file names, and the
// names it refuses because they hold no date or more than one.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ctl/name_time.hpp"

namespace mv::ctl {
namespace {

using ::testing::HasSubstr;

// "YYYY-MM-DD HH:MM:SS" of what the name holds, or the error.
std::string read(std::string_view name) {
    const auto found = time_in_name(name);
    if (!found) {
        return "error: " + found.error();
    }
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{} [{}]", found->year, found->month,
                       found->day, found->hour, found->minute, found->second,
                       found->has_time ? "" : " (date only)", found->text);
}

TEST(TimeInName, TheShapesOfLegacyCopies) {
    EXPECT_EQ(read("pacman_run_047_20260103_1632_DQN_pacman.zip"),
              "2026-01-03 16:32:00 [20260103_1632]");
    EXPECT_EQ(read("dqn-20260103-163205.pkl"), "2026-01-03 16:32:05 [20260103-163205]");
    EXPECT_EQ(read("dqn_20260103T1632.pt"), "2026-01-03 16:32:00 [20260103T1632]");
    EXPECT_EQ(read("ckpt.20260103.163205.pt"), "2026-01-03 16:32:05 [20260103.163205]");
    EXPECT_EQ(read("model_202601031632.h5"), "2026-01-03 16:32:00 [202601031632]");
    EXPECT_EQ(read("model_20260103163205.h5"), "2026-01-03 16:32:05 [20260103163205]");
    EXPECT_EQ(read("run_2026-01-03_16-32-05.pkl"), "2026-01-03 16:32:05 [2026-01-03_16-32-05]");
    EXPECT_EQ(read("run 2026-01-03 16:32.pkl"), "2026-01-03 16:32:00 [2026-01-03 16:32]");
    EXPECT_EQ(read("run_2026-01-03T16:32:05.pkl"), "2026-01-03 16:32:05 [2026-01-03T16:32:05]");
    EXPECT_EQ(read("run_2026-01-03_1632.pkl"), "2026-01-03 16:32:00 [2026-01-03_1632]");
    EXPECT_EQ(read("run_2026_01_03_16_32.pkl"), "2026-01-03 16:32:00 [2026_01_03_16_32]");
    EXPECT_EQ(read("run.2026.01.03.16h32.pkl"), "2026-01-03 16:32:00 [2026.01.03.16h32]");
    // A date alone is midnight.
    EXPECT_EQ(read("best_2025-12-31.pkl"), "2025-12-31 00:00:00 (date only) [2025-12-31]");
    EXPECT_EQ(read("best_20251231.pkl"), "2025-12-31 00:00:00 (date only) [20251231]");
    // A number after the date that is no time is not read as one.
    EXPECT_EQ(read("run_20260103_047.pkl"), "2026-01-03 00:00:00 (date only) [20260103]");
    EXPECT_EQ(read("run_20260103_2561.pkl"), "2026-01-03 00:00:00 (date only) [20260103]");
}

TEST(TimeInName, NumbersThatAreNoDatesAreNotRead) {
    // Glued to more digits, out of range, or of another length: not a date.
    EXPECT_THAT(read("epoch_120260103.pkl"), HasSubstr("error: no date in the name"));
    EXPECT_THAT(read("step_20261399.pkl"), HasSubstr("error: no date"));
    EXPECT_THAT(read("run_20250229.pkl"), HasSubstr("error: no date")); // not a leap year
    EXPECT_THAT(read("rl_model_10000_steps.zip"), HasSubstr("error: no date"));
    EXPECT_THAT(read("model_1767457920.pkl"), HasSubstr("error: no date")); // epoch seconds
    EXPECT_THAT(read("model_260103.pkl"), HasSubstr("error: no date"));     // YYMMDD is ambiguous
    EXPECT_EQ(read("leap_20240229.pkl"), "2024-02-29 00:00:00 (date only) [20240229]");
}

TEST(TimeInName, TwoDatesAreRefusedNamingBoth) {
    const auto found = time_in_name("finetune_20260103_1632_from_20251231.pkl");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error(),
              "the name \"finetune_20260103_1632_from_20251231.pkl\" holds 2 dates "
              "(\"20260103_1632\", \"20251231\"): it is not clear which is the time of the copy; "
              "give it with --time instead");
    const auto none = time_in_name("final.pkl");
    ASSERT_FALSE(none);
    EXPECT_THAT(none.error(), HasSubstr("--time-from-name reads YYYYMMDD"));
    EXPECT_THAT(none.error(), HasSubstr("give the time with --time instead"));
}

} // namespace
} // namespace mv::ctl
