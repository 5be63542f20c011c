// Free space (docs/CONFIG.md, warn_free_below): a conservative estimate of what a version
// needs, the message when it does not fit, and low-space hysteresis.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/disk_space.hpp"

namespace mv::daemon {
namespace {

using ::testing::HasSubstr;

TEST(DiskSpace, AVersionMayNeedItsFilesAndALittleMore) {
    EXPECT_EQ(space_needed({}), 1u << 20);
    EXPECT_EQ(space_needed({256000}), (1u << 20) + 256000 + 1000 + 16384);
    // Never less than the files themselves, whatever their number and size.
    const std::uint64_t gib = 1ULL << 30;
    EXPECT_GT(space_needed({gib, gib, 1}), 2 * gib + 1);
}

TEST(DiskSpace, TheMessageSaysHowMuchIsNeededAndWhatToDo) {
    EXPECT_EQ(room_problem("lab/m.pkl", 100, 90, 100, "/v"), std::nullopt);
    const auto problem = room_problem("lab/m.pkl", 3u << 20, 2u << 20, 1u << 20, "/var/lib/mv");
    ASSERT_TRUE(problem);
    EXPECT_THAT(*problem, HasSubstr("No space left in the vault for lab/m.pkl: its files are "
                                    "2.0 MiB, a version may need up to 3.0 MiB, and /var/lib/mv "
                                    "has 1.0 MiB free; free at least 2.0 MiB there"));
    EXPECT_THAT(*problem, HasSubstr("modelvaultctl prune"));
    EXPECT_THAT(*problem, HasSubstr("nothing was written"));
}

TEST(DiskSpace, LowSpaceHasHysteresis) {
    EXPECT_FALSE(disk_low_now(false, 0, std::nullopt)) << "no threshold, never low";
    EXPECT_FALSE(disk_low_now(false, 1000, 1000));
    EXPECT_TRUE(disk_low_now(false, 999, 1000));
    EXPECT_TRUE(disk_low_now(true, 1000, 1000)) << "stays low at the line";
    EXPECT_TRUE(disk_low_now(true, 1049, 1000));
    EXPECT_FALSE(disk_low_now(true, 1050, 1000)) << "5 % above it, it is not";
}

TEST(DiskSpace, FreeBytesAsksTheFileSystem) {
    EXPECT_TRUE(free_bytes("/"));
    EXPECT_FALSE(free_bytes("/nonexistent/mv"));
}

} // namespace
} // namespace mv::daemon
