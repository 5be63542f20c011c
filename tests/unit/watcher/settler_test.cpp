#include <gtest/gtest.h>

#include "watcher/settler.hpp"

namespace mv::watcher {
namespace {

using namespace std::chrono_literals;

const SteadyTime k_settler_t0{std::chrono::hours(1000)};
const config::Duration settle = 2s;
const ModelKey k_dqn{"lab", "dqn.pkl"};

TEST(WatcherSettler, SingleCloseIsReadyExactlyAfterSettle) {
    Settler settler;
    settler.written(k_dqn, "dqn.pkl", k_settler_t0, settle);
    EXPECT_EQ(settler.next_deadline(), k_settler_t0 + settle);
    EXPECT_EQ(settler.pending("lab"), 1u);

    // One millisecond early: still quiet time left.
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + settle - 1ms).empty());
    // Exactly at the deadline it is ready, and only once.
    EXPECT_EQ(settler.take_ready(k_settler_t0 + settle), std::vector<ModelKey>{k_dqn});
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + 1h).empty());
    EXPECT_EQ(settler.pending("lab"), 0u);
    EXPECT_EQ(settler.next_deadline(), std::nullopt);
}

TEST(WatcherSettler, ALaterCloseRestartsTheQuietPeriod) {
    Settler settler;
    settler.written(k_dqn, "dqn.pkl", k_settler_t0, settle);
    settler.written(k_dqn, "dqn.pkl", k_settler_t0 + 1500ms, settle);
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + settle).empty());
    EXPECT_EQ(settler.take_ready(k_settler_t0 + 1500ms + settle), std::vector<ModelKey>{k_dqn});
}

TEST(WatcherSettler, ModifyAfterCloseHoldsTheModelUntilTheNextClose) {
    Settler settler;
    settler.written(k_dqn, "dqn.pkl", k_settler_t0, settle);
    // A writer re-opened the file and appends: it is not finished, however long it takes.
    settler.modified(k_dqn, "dqn.pkl", k_settler_t0 + 1s, settle);
    EXPECT_EQ(settler.next_deadline(), std::nullopt);
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + settle).empty());
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + 1h).empty());
    EXPECT_EQ(settler.pending("lab"), 1u);

    // The writer closes: ready one settle period later.
    const auto closed = k_settler_t0 + 1h + 1s;
    settler.written(k_dqn, "dqn.pkl", closed, settle);
    EXPECT_TRUE(settler.take_ready(closed + settle - 1ms).empty());
    EXPECT_EQ(settler.take_ready(closed + settle), std::vector<ModelKey>{k_dqn});
}

TEST(WatcherSettler, ReopenAppendPatternSettlesOnceAfterTheLastClose) {
    // h5py: create+write+close, then re-open, append, close.
    Settler settler;
    settler.modified(k_dqn, "dqn.pkl", k_settler_t0, settle);
    settler.written(k_dqn, "dqn.pkl", k_settler_t0 + 10ms, settle);
    settler.modified(k_dqn, "dqn.pkl", k_settler_t0 + 20ms, settle);
    settler.modified(k_dqn, "dqn.pkl", k_settler_t0 + 30ms, settle);
    settler.written(k_dqn, "dqn.pkl", k_settler_t0 + 40ms, settle);

    std::vector<ModelKey> ready;
    for (auto now = k_settler_t0; now <= k_settler_t0 + 10s; now += 10ms) {
        for (auto& key : settler.take_ready(now)) {
            EXPECT_EQ(now, k_settler_t0 + 40ms + settle);
            ready.push_back(key);
        }
    }
    EXPECT_EQ(ready, std::vector<ModelKey>{k_dqn});
}

TEST(WatcherSettler, ModifyWithoutCloseNeverSettles) {
    Settler settler;
    settler.modified(k_dqn, "dqn.pkl", k_settler_t0, settle);
    EXPECT_EQ(settler.next_deadline(), std::nullopt);
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + 24h).empty());
}

TEST(WatcherSettler, DeleteCancelsAPendingModel) {
    Settler settler;
    settler.written(k_dqn, "dqn.pkl", k_settler_t0, settle);
    settler.cancel(k_dqn);
    EXPECT_EQ(settler.pending("lab"), 0u);
    EXPECT_EQ(settler.next_deadline(), std::nullopt);
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + 1h).empty());
}

TEST(WatcherSettler, CancelWithinForgetsOnlyModelsInThatFolder) {
    Settler settler;
    settler.written({"lab", "runs/a.pt"}, "runs/a.pt", k_settler_t0, settle);
    settler.written({"lab", "runs/deep/b.pt"}, "runs/deep/b.pt", k_settler_t0, settle);
    settler.written({"lab", "runs2/c.pt"}, "runs2/c.pt", k_settler_t0, settle);
    settler.written({"other", "runs/a.pt"}, "runs/a.pt", k_settler_t0, settle);
    settler.cancel_within("lab", "runs");
    const std::vector<ModelKey> expected{{"lab", "runs2/c.pt"}, {"other", "runs/a.pt"}};
    EXPECT_EQ(settler.take_ready(k_settler_t0 + settle), expected);
}

TEST(WatcherSettler, DirectoryLayoutBurstSettlesOnceAfterTheLastChange) {
    // A SavedModel being written: many files, a temporary file removed, a folder created.
    Settler settler;
    const ModelKey tree{"saved", ""};
    settler.written(tree, "saved_model.pb", k_settler_t0, settle);
    settler.modified(tree, "variables/variables.data-00000-of-00001", k_settler_t0 + 100ms, settle);
    settler.written(tree, "variables/variables.data-00000-of-00001", k_settler_t0 + 900ms, settle);
    settler.written(tree, "variables/variables.index", k_settler_t0 + 1s, settle);
    settler.removed(tree, "variables/tmp.lock", k_settler_t0 + 1200ms, settle);
    settler.touched(tree, k_settler_t0 + 1300ms, settle); // e.g. a new empty assets/ folder
    EXPECT_EQ(settler.pending("saved"), 1u);
    EXPECT_EQ(settler.next_deadline(), k_settler_t0 + 1300ms + settle);

    EXPECT_TRUE(settler.take_ready(k_settler_t0 + 1300ms + settle - 1ms).empty());
    EXPECT_EQ(settler.take_ready(k_settler_t0 + 1300ms + settle), std::vector<ModelKey>{tree});
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + 1h).empty());
}

TEST(WatcherSettler, DirectoryLayoutWaitsForEveryOpenFile) {
    Settler settler;
    const ModelKey tree{"saved", ""};
    settler.modified(tree, "a.bin", k_settler_t0, settle);
    settler.modified(tree, "b.bin", k_settler_t0, settle);
    settler.written(tree, "a.bin", k_settler_t0 + 1s, settle);
    // b.bin is still open for writing.
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + 1h).empty());
    settler.written(tree, "b.bin", k_settler_t0 + 2h, settle);
    EXPECT_EQ(settler.take_ready(k_settler_t0 + 2h + settle), std::vector<ModelKey>{tree});
}

TEST(WatcherSettler, RemovingAFolderStopsWaitingForFilesInside) {
    Settler settler;
    const ModelKey tree{"saved", ""};
    settler.modified(tree, "tmp/part.bin", k_settler_t0, settle);
    settler.removed(tree, "tmp", k_settler_t0 + 1s, settle);
    EXPECT_EQ(settler.take_ready(k_settler_t0 + 1s + settle), std::vector<ModelKey>{tree});
}

TEST(WatcherSettler, TouchOnlyPushesBackPendingModels) {
    Settler settler;
    const ModelKey tree{"saved", ""};
    // A folder created on its own is not a model change yet.
    settler.touched(tree, k_settler_t0, settle);
    EXPECT_EQ(settler.pending("saved"), 0u);

    settler.written(tree, "a.bin", k_settler_t0, settle);
    settler.touched(tree, k_settler_t0 + 1s, settle);
    EXPECT_TRUE(settler.take_ready(k_settler_t0 + settle).empty());
    EXPECT_EQ(settler.take_ready(k_settler_t0 + 1s + settle), std::vector<ModelKey>{tree});
}

TEST(WatcherSettler, ModelsSettleIndependently) {
    Settler settler;
    const ModelKey a{"lab", "a.pkl"};
    const ModelKey b{"lab", "b.pkl"};
    settler.written(a, "a.pkl", k_settler_t0, settle);
    settler.written(b, "b.pkl", k_settler_t0 + 1s, 500ms);
    EXPECT_EQ(settler.next_deadline(), k_settler_t0 + 1500ms);
    EXPECT_EQ(settler.take_ready(k_settler_t0 + 1500ms), std::vector<ModelKey>{b});
    EXPECT_EQ(settler.next_deadline(), k_settler_t0 + settle);
    EXPECT_EQ(settler.take_ready(k_settler_t0 + settle), std::vector<ModelKey>{a});
}

TEST(WatcherSettler, ForgetWatchDropsOnlyThatWatch) {
    Settler settler;
    settler.written({"lab", "a.pkl"}, "a.pkl", k_settler_t0, settle);
    settler.written({"other", "a.pkl"}, "a.pkl", k_settler_t0, settle);
    settler.forget_watch("lab");
    EXPECT_EQ(settler.pending("lab"), 0u);
    EXPECT_EQ(settler.pending("other"), 1u);
}

} // namespace
} // namespace mv::watcher
