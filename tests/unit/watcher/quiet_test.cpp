// Is a file quiet? Pure judgements with synthetic times, and file_state() on real files.
#include <thread>

#include <gtest/gtest.h>

#include "tests/lib/temp_dir.hpp"
#include "watcher/quiet.hpp"

namespace mv::watcher {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t k_second = 1'000'000'000;
const SystemTime k_now = SystemTime{} + std::chrono::seconds(1'800'000'000);
const std::int64_t k_now_ns = 1'800'000'000 * k_second;
const SteadyTime k_steady = SteadyTime{} + 1000s;

FileState state(std::int64_t mtime_ns, std::int64_t ctime_ns, std::uint64_t size = 10) {
    return FileState{"m.pkl", 1, 2, size, mtime_ns, ctime_ns};
}

TEST(Quiet, OldEnoughTimestampsAreQuiet) {
    EXPECT_TRUE(judge_quiet({state(k_now_ns - 3 * k_second, k_now_ns - 2 * k_second)}, k_now,
                            k_steady, 2s, std::nullopt)
                    .quiet);
}

TEST(Quiet, ARecentChangeWaitsForTheRestOfSettle) {
    // Written 0.5 s ago, settle 2 s: look again in 1.5 s (and a little).
    const auto verdict = judge_quiet({state(k_now_ns - k_second / 2, k_now_ns - k_second / 2)},
                                     k_now, k_steady, 2s, std::nullopt);
    EXPECT_FALSE(verdict.quiet);
    EXPECT_GE(verdict.wait, 1500ms);
    EXPECT_LE(verdict.wait, 1600ms);
    EXPECT_EQ(verdict.why, "it changed 500 ms ago");
}

TEST(Quiet, TheChangeTimeCountsEvenWhenTheWriterKeptAnOldMtime) {
    // cp -p, rsync -t, touch -d: the content is new, the mtime old; ctime says when.
    const auto verdict = judge_quiet({state(k_now_ns - 3600 * k_second, k_now_ns - k_second)},
                                     k_now, k_steady, 2s, std::nullopt);
    EXPECT_FALSE(verdict.quiet);
}

TEST(Quiet, TheNewestFileOfAFolderDecides) {
    const std::vector<FileState> folder = {
        state(k_now_ns - 60 * k_second, k_now_ns - 60 * k_second),
        state(k_now_ns - k_second, k_now_ns - k_second)};
    EXPECT_FALSE(judge_quiet(folder, k_now, k_steady, 2s, std::nullopt).quiet);
    EXPECT_TRUE(judge_quiet(folder, k_now, k_steady, 1s, std::nullopt).quiet);
}

TEST(Quiet, TimestampsFromAnotherClockAreWatchedInstead) {
    // A file server whose clock is ahead: the file looks changed in the future. Quiet once
    // the daemon saw the same state settle apart, not before.
    const std::vector<FileState> states = {
        state(k_now_ns + 60 * k_second, k_now_ns + 60 * k_second)};
    const auto first = judge_quiet(states, k_now, k_steady, 2s, std::nullopt);
    EXPECT_FALSE(first.quiet);
    EXPECT_EQ(first.wait, 2000ms);
    const Observation earlier{states, k_steady};
    EXPECT_FALSE(judge_quiet(states, k_now + 1s, k_steady + 1s, 2s, earlier).quiet);
    EXPECT_TRUE(judge_quiet(states, k_now + 2s, k_steady + 2s, 2s, earlier).quiet);
    // A change in between starts over.
    auto grown = states;
    grown[0].size = 20;
    EXPECT_FALSE(judge_quiet(grown, k_now + 3s, k_steady + 3s, 2s, earlier).quiet);
}

TEST(Quiet, FileStateSeesEveryKindOfChange) {
    test::TempDir dir("quiet");
    test::write_file(dir / "m.pkl", "one");
    const auto before = file_state(dir.path(), "m.pkl");
    ASSERT_TRUE(before);
    EXPECT_EQ(before->size, 3u);
    EXPECT_EQ(before->path, "m.pkl");
    // Rewritten with the same size a few kernel ticks later: the times tell.
    std::this_thread::sleep_for(30ms);
    test::write_file(dir / "m.pkl", "two");
    const auto rewritten = file_state(dir.path(), "m.pkl");
    ASSERT_TRUE(rewritten);
    EXPECT_EQ(rewritten->size, before->size);
    EXPECT_NE(*rewritten, *before);
    EXPECT_FALSE(file_state(dir.path(), "missing.pkl"));
    std::filesystem::create_directory(dir / "folder");
    EXPECT_FALSE(file_state(dir.path(), "folder")); // not a regular file
    EXPECT_EQ(file_states(dir.path(), {"m.pkl", "missing.pkl"}).size(), 1u);
}

} // namespace
} // namespace mv::watcher
