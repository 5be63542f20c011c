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
