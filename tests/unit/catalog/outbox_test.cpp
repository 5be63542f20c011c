// The catalog's outbox (catalog/outbox.hpp): events survive a reopen (a restart or a
// crash), come back oldest first, are removed only when asked, and one that can never be
// sent is set aside, not lost.
#include <fstream>

#include <gtest/gtest.h>

#include "catalog/outbox.hpp"
#include "tests/lib/temp_dir.hpp"
#include "util/error.hpp"

namespace mv::catalog {
namespace {

using test::TempDir;

TEST(Outbox, EventsComeBackOldestFirstAfterAReopen) {
    TempDir dir("outbox");
    {
        Outbox outbox(dir / "outbox");
        EXPECT_FALSE(outbox.front());
        EXPECT_EQ(outbox.push("one"), 1u);
        EXPECT_EQ(outbox.push("two"), 2u);
        EXPECT_EQ(outbox.push("three"), 3u);
        outbox.remove(1);
    }
    Outbox reopened(dir / "outbox");
    ASSERT_EQ(reopened.waiting().size(), 2u);
    EXPECT_EQ(reopened.front(), 2u);
    EXPECT_EQ(reopened.read(2), "two");
    EXPECT_EQ(reopened.read(3), "three");
    EXPECT_EQ(reopened.push("four"), 4u) << "numbers go on after the highest one found";
}

TEST(Outbox, EventFilesArePrivate) {
    TempDir dir("outbox");
    Outbox outbox(dir / "outbox");
    outbox.push("{}");
    const auto status = std::filesystem::status(dir / "outbox" / "00000000000000000001.json");
    EXPECT_EQ(status.permissions() & std::filesystem::perms::group_all,
              std::filesystem::perms::none);
    EXPECT_EQ(status.permissions() & std::filesystem::perms::others_all,
              std::filesystem::perms::none);
}

TEST(Outbox, AnInterruptedWriteIsCleanedAndOtherFilesAreLeftAlone) {
    TempDir dir("outbox");
    std::filesystem::create_directories(dir / "outbox");
    std::ofstream(dir / "outbox" / ".00000000000000000007.json.1.2.tmp") << "{\"ki";
    std::ofstream(dir / "outbox" / "README") << "an admin's note";
    std::ofstream(dir / "outbox" / "00000000000000000005.json") << "five";
    Outbox outbox(dir / "outbox");
    EXPECT_EQ(outbox.waiting().size(), 1u);
    EXPECT_FALSE(std::filesystem::exists(dir / "outbox" / ".00000000000000000007.json.1.2.tmp"));
    EXPECT_TRUE(std::filesystem::exists(dir / "outbox" / "README"));
    EXPECT_EQ(outbox.push("six"), 6u);
}

TEST(Outbox, AnEventSetAsideIsKeptAndCounted) {
    TempDir dir("outbox");
    {
        Outbox outbox(dir / "outbox");
        outbox.push("not an event");
        outbox.push("next");
        outbox.set_aside(1);
        EXPECT_EQ(outbox.front(), 2u);
        EXPECT_EQ(outbox.rejected(), 1u);
    }
    EXPECT_TRUE(std::filesystem::exists(dir / "outbox" / "rejected" / "00000000000000000001.json"));
    EXPECT_EQ(Outbox(dir / "outbox").rejected(), 1u) << "counted again after a restart";
}

TEST(Outbox, AFolderThatCannotBeCreatedIsAnError) {
    TempDir dir("outbox");
    std::ofstream(dir / "file") << "x";
    EXPECT_THROW(Outbox(dir / "file" / "outbox"), Error);
}

} // namespace
} // namespace mv::catalog
