// The durability model of crashfs, without FUSE: CrashLog driven directly on a temp dir.
// Each test makes changes, cuts the power and checks what survived.
#include <fcntl.h>
#include <filesystem>
#include <linux/fs.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/lib/temp_dir.hpp"
#include "tests/powercut/crash_log.hpp"

namespace mv::powercut {
namespace {

namespace stdfs = std::filesystem;
using test::read_file;
using test::write_file;

class CrashLogTest : public ::testing::Test {
protected:
    test::TempDir dir{"crashlog"};
    stdfs::path backing = dir / "backing";
    stdfs::path grave = dir / "grave";
    std::unique_ptr<CrashLog> log;

    void SetUp() override {
        stdfs::create_directories(backing);
        stdfs::create_directories(grave);
        log = std::make_unique<CrashLog>(backing, grave, 7);
    }

    // Creates `path` with `content` through the log; returns the open descriptor.
    UniqueFd create(const std::string& path, const std::string& content) {
        int fd = -1;
        EXPECT_EQ(log->create(path, O_WRONLY | O_CREAT | O_EXCL, 0644, fd), 0);
        EXPECT_EQ(log->write(fd, content.data(), content.size(), 0),
                  static_cast<int>(content.size()));
        return UniqueFd(fd);
    }
    UniqueFd open(const std::string& path) {
        return UniqueFd(::open((backing.string() + path).c_str(), O_RDWR));
    }
    // A file that is durable: created, written, fsynced, its directory fsynced.
    void durable(const std::string& path, const std::string& content) {
        auto fd = create(path, content);
        EXPECT_EQ(log->fsync_file(fd.get()), 0);
        const auto parent = stdfs::path(path).parent_path().string();
        EXPECT_EQ(log->fsync_dir(parent), 0);
    }
    std::string content(const std::string& path) { return read_file(backing.string() + path); }
    bool exists(const std::string& path) { return stdfs::exists(backing.string() + path); }
};

TEST_F(CrashLogTest, AKeepAllCutIsAKillThatLosesNothing) {
    durable("/d", "old");
    create("/a", "never fsynced");
    {
        auto fd = open("/d");
        ASSERT_EQ(log->write(fd.get(), "new", 3, 0), 3);
    }
    ASSERT_EQ(log->unlink("/d"), 0);
    const auto report = log->cut(CutMode::keep_all);
    EXPECT_EQ(content("/a"), "never fsynced");
    EXPECT_FALSE(exists("/d"));
    EXPECT_EQ(report.ops_undone, 0u);
    EXPECT_EQ(report.ops_kept, 2u);
    EXPECT_TRUE(stdfs::is_empty(grave));
}

TEST_F(CrashLogTest, AFileNeverFsyncedIsLost) {
    create("/a", "data");
    log->cut(CutMode::lose_all);
    EXPECT_FALSE(exists("/a"));
    EXPECT_TRUE(stdfs::is_empty(grave));
}

TEST_F(CrashLogTest, AnFsyncedFileWhoseDirectoryWasNotFsyncedLosesItsName) {
    auto fd = create("/a", "data");
    ASSERT_EQ(log->fsync_file(fd.get()), 0);
    log->cut(CutMode::lose_all);
    EXPECT_FALSE(exists("/a"));
}

TEST_F(CrashLogTest, AFileAndItsDirectoryFsyncedSurvive) {
    durable("/a", "data");
    log->cut(CutMode::lose_all);
    EXPECT_EQ(content("/a"), "data");
}

TEST_F(CrashLogTest, ADurableNameWithUnsyncedDataIsEmpty) {
    auto fd = create("/a", "data");
    ASSERT_EQ(log->fsync_dir("/"), 0);
    log->cut(CutMode::lose_all);
    EXPECT_EQ(content("/a"), ""); // the classic: rename durable, data not
}

TEST_F(CrashLogTest, AnOverwriteWithoutFsyncIsTakenBack) {
    durable("/a", std::string(10000, 'o'));
    auto fd = open("/a");
    ASSERT_EQ(log->write(fd.get(), "NEW", 3, 5000), 3);
    ASSERT_EQ(log->write(fd.get(), "END", 3, 10000), 3);
    log->cut(CutMode::lose_all);
    EXPECT_EQ(content("/a"), std::string(10000, 'o'));
}

TEST_F(CrashLogTest, AShrinkWithoutFsyncIsTakenBack) {
    durable("/a", std::string(9000, 'x'));
    auto fd = open("/a");
    ASSERT_EQ(log->truncate(fd.get(), 10), 0);
    log->cut(CutMode::lose_all);
    EXPECT_EQ(content("/a"), std::string(9000, 'x'));
}

TEST_F(CrashLogTest, AnUnlinkWithoutDirectoryFsyncIsTakenBack) {
    durable("/a", "data");
    ASSERT_EQ(log->unlink("/a"), 0);
    EXPECT_FALSE(exists("/a"));
    log->cut(CutMode::lose_all);
    EXPECT_EQ(content("/a"), "data");
}

TEST_F(CrashLogTest, AnUnlinkMadeDurableDeletesTheFileForGood) {
    durable("/a", "data");
    ASSERT_EQ(log->unlink("/a"), 0);
    ASSERT_EQ(log->fsync_dir("/"), 0);
    EXPECT_TRUE(stdfs::is_empty(grave));
    log->cut(CutMode::lose_all);
    EXPECT_FALSE(exists("/a"));
}

TEST_F(CrashLogTest, ARenameOverAFileIsDurableOnlyWithItsDestinationFsynced) {
    stdfs::create_directories(backing / "tmp");
    stdfs::create_directories(backing / "models");
    durable("/models/v", "old");
    auto fd = create("/tmp/v", "new");
    ASSERT_EQ(log->fsync_file(fd.get()), 0);
    ASSERT_EQ(log->rename("/tmp/v", "/models/v", 0), 0);
    ASSERT_EQ(log->fsync_dir("/tmp"), 0); // the source's fsync is not enough
    log->cut(CutMode::lose_all);
    EXPECT_EQ(content("/models/v"), "old");
    EXPECT_EQ(content("/tmp/v"), "new"); // its creation in tmp/ was made durable
}

TEST_F(CrashLogTest, ARenameWithBothFsyncsSurvives) {
    stdfs::create_directories(backing / "tmp");
    durable("/v", "old");
    auto fd = create("/tmp/v", "new");
    ASSERT_EQ(log->fsync_file(fd.get()), 0);
    ASSERT_EQ(log->rename("/tmp/v", "/v", 0), 0);
    ASSERT_EQ(log->fsync_dir("/"), 0);
    log->cut(CutMode::lose_all);
    EXPECT_EQ(content("/v"), "new");
    EXPECT_FALSE(exists("/tmp/v"));
}

TEST_F(CrashLogTest, RenameNoReplaceRefusesAnExistingTarget) {
    durable("/a", "a");
    durable("/b", "b");
    EXPECT_EQ(log->rename("/a", "/b", RENAME_NOREPLACE), -EEXIST);
    EXPECT_EQ(log->rename("/a", "/b", RENAME_EXCHANGE), -EINVAL);
    EXPECT_EQ(content("/b"), "b");
}

TEST_F(CrashLogTest, DirectoriesComeAndGoWithTheirParentsFsync) {
    ASSERT_EQ(log->mkdir("/d", 0750), 0);
    durable("/d/f", "f"); // fsyncs /d, not /
    ASSERT_EQ(log->mkdir("/e", 0755), 0);
    ASSERT_EQ(log->rmdir("/e"), 0);
    log->cut(CutMode::lose_all);
    // The journal commits in order: /d's fsync made the earlier mkdir of /d durable.
    EXPECT_EQ(content("/d/f"), "f");
    EXPECT_FALSE(exists("/e"));
}

TEST_F(CrashLogTest, ARemovedDirectoryComesBackWithItsMode) {
    ASSERT_EQ(log->mkdir("/d", 0700), 0);
    ASSERT_EQ(log->fsync_dir("/"), 0);
    ASSERT_EQ(log->rmdir("/d"), 0);
    log->cut(CutMode::lose_all);
    ASSERT_TRUE(stdfs::is_directory(backing / "d"));
    EXPECT_EQ(stdfs::status(backing / "d").permissions(), stdfs::perms::owner_all);
}

TEST_F(CrashLogTest, ARandomCutTearsEachBlockOldOrNew) {
    const std::string old_data(5 * 4096, 'o');
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        stdfs::remove_all(backing / "a");
        log = std::make_unique<CrashLog>(backing, grave, seed);
        durable("/a", old_data);
        auto fd = open("/a");
        const std::string new_data(7 * 4096, 'n');
        ASSERT_EQ(log->write(fd.get(), new_data.data(), new_data.size(), 0),
                  static_cast<int>(new_data.size()));
        log->cut(CutMode::random);
        const std::string now = content("/a");
        ASSERT_TRUE(now.size() == old_data.size() || now.size() == new_data.size()) << now.size();
        for (std::size_t block = 0; block * 4096 < now.size(); ++block) {
            const char c = now[block * 4096];
            const char expected_old = block < 5 ? 'o' : '\0';
            EXPECT_TRUE(c == 'n' || c == expected_old) << "seed " << seed << " block " << block;
            EXPECT_EQ(now.substr(block * 4096, 4096), std::string(4096, c));
        }
    }
}

TEST_F(CrashLogTest, ARandomCutKeepsAPrefixOfTheOperations) {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        stdfs::remove_all(backing);
        stdfs::create_directories(backing);
        log = std::make_unique<CrashLog>(backing, grave, seed);
        for (const char* name : {"/1", "/2", "/3", "/4"}) {
            auto fd = create(name, "x");
            ASSERT_EQ(log->fsync_file(fd.get()), 0);
        }
        log->cut(CutMode::random);
        // In order: a later file never survives without the earlier ones.
        bool gone = false;
        for (const char* name : {"/1", "/2", "/3", "/4"}) {
            EXPECT_FALSE(gone && exists(name)) << "seed " << seed << ": " << name;
            gone = gone || !exists(name);
        }
    }
}

TEST_F(CrashLogTest, ACleanUnmountKeepsEverything) {
    create("/a", "data");
    durable("/b", "b");
    ASSERT_EQ(log->unlink("/b"), 0);
    log->settle();
    log->cut(CutMode::lose_all);
    EXPECT_EQ(content("/a"), "data");
    EXPECT_FALSE(exists("/b"));
    EXPECT_TRUE(stdfs::is_empty(grave));
}

} // namespace
} // namespace mv::powercut
