#include <chrono>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/lib/temp_dir.hpp"
#include "util/fs.hpp"

namespace mv {
namespace {

TEST(AtomicWrite, ReplacesContentAndLeavesNoTemporaryFile) {
    test::TempDir dir("fs");
    const auto target = dir / "state.json";
    ASSERT_TRUE(fs::write_file_atomic(target, "one"));
    ASSERT_TRUE(fs::write_file_atomic(target, "two", {}, 0600));
    EXPECT_EQ(test::read_file(target), "two");
    struct stat st {};
    ASSERT_EQ(::stat(target.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    int entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) {
        ++entries;
    }
    EXPECT_EQ(entries, 1);
}

TEST(AtomicWrite, ReportsTheFileAndReason) {
    test::TempDir dir("fs");
    auto result = fs::write_file_atomic(dir / "missing" / "x", "data");
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().find("missing"), std::string::npos) << result.error();
}

TEST(CreateDirectories, CreatesNestedAndRejectsFiles) {
    test::TempDir dir("fs");
    ASSERT_TRUE(fs::create_directories_durable(dir / "a" / "b" / "c"));
    EXPECT_TRUE(std::filesystem::is_directory(dir / "a" / "b" / "c"));
    test::write_file(dir / "file", "x");
    EXPECT_FALSE(fs::create_directories_durable(dir / "file" / "sub"));
}

TEST(ReadFile, EnforcesTheSizeLimit) {
    test::TempDir dir("fs");
    test::write_file(dir / "big", std::string(100, 'x'));
    EXPECT_TRUE(fs::read_file(dir / "big", 100));
    EXPECT_FALSE(fs::read_file(dir / "big", 99));
    EXPECT_FALSE(fs::read_file(dir / "absent"));
}

} // namespace
} // namespace mv

namespace mv {
namespace {

TEST(OpenBeneath, OpensRegularFilesBelowTheRoot) {
    test::TempDir dir("beneath");
    test::write_file(dir / "root/a/b/model.pkl", "weights");
    auto fd = fs::open_beneath(dir / "root", "a/b/model.pkl");
    ASSERT_TRUE(fd) << fd.error();
    EXPECT_EQ(fs::read_file_beneath(dir / "root", "a/b/model.pkl").value(), "weights");
}

TEST(OpenBeneath, RefusesSymlinksAnywhereOnThePath) {
    test::TempDir dir("beneath");
    test::write_file(dir / "secret/key.txt", "do not read");
    std::filesystem::create_directories(dir / "root");
    std::filesystem::create_directory_symlink(dir / "secret", dir / "root/linkdir");
    std::filesystem::create_symlink(dir / "secret/key.txt", dir / "root/link.pkl");
    int error = 0;
    auto via_dir = fs::open_beneath(dir / "root", "linkdir/key.txt", &error);
    ASSERT_FALSE(via_dir);
    EXPECT_EQ(error, ELOOP);
    EXPECT_NE(via_dir.error().find("symlink"), std::string::npos) << via_dir.error();
    EXPECT_FALSE(fs::open_beneath(dir / "root", "link.pkl", &error));
    EXPECT_EQ(error, ELOOP);
    EXPECT_FALSE(fs::open_beneath(dir / "root", "../secret/key.txt", &error));
    EXPECT_EQ(error, EINVAL);
    EXPECT_FALSE(fs::open_beneath(dir / "root", "absent.pkl", &error));
    EXPECT_EQ(error, ENOENT);
}

TEST(OpenBeneath, RefusesFifosWithoutBlocking) {
    test::TempDir dir("beneath");
    ASSERT_EQ(::mkfifo((dir / "fifo.pkl").c_str(), 0644), 0);
    int error = 0;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(fs::open_beneath(dir.path(), "fifo.pkl", &error));
    EXPECT_EQ(error, EINVAL);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

} // namespace
} // namespace mv
