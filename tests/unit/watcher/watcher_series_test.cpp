// The Watcher with a checkpoint series, driven by a scripted event source: a checkpoint
// folder settles as one, arrives by its rename, ignores its rotation; temporary names are
// never models. And the scans of a series.
#include <sys/inotify.h>
#include <thread>

#include <gtest/gtest.h>

#include "tests/lib/fake_event_source.hpp"
#include "tests/lib/temp_dir.hpp"
#include "watcher/scan.hpp"
#include "watcher/watcher.hpp"

namespace mv::watcher {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;
using Changes = std::vector<Change>;

const SteadyTime k_t0{std::chrono::hours(1000)};

Change settled(std::string model) {
    return {Change::Kind::settled, "lab", std::move(model)};
}

class WatcherSeriesTest : public ::testing::Test {
protected:
    void start(config::CheckpointPreset preset) {
        stdfs::create_directories(m_root / "out");
        config::Watch watch;
        watch.name = "lab";
        watch.path = m_root;
        watch.settle = 1s;
        watch.recursive = false; // a series still watches its checkpoints' folders
        watch.checkpoints = config::Checkpoints{preset, {}, "", ""};
        m_watch = with_series_excludes(watch);
        m_watcher.configure({watch}, k_t0);
        ASSERT_EQ(m_watcher.take_changes(k_t0).size(), 1u); // the start-up rescan
    }

    test::TempDir m_dir{"watcher-series"};
    stdfs::path m_root = m_dir / "lab";
    config::Watch m_watch;
    test::FakeEventSource m_source;
    Watcher m_watcher{m_source};
};

TEST_F(WatcherSeriesTest, AStagedFolderSettlesAsOneCheckpointWhenRenamed) {
    start(config::CheckpointPreset::huggingface);
    // Written as tmp-checkpoint-500/ (excluded: not even watched), then renamed.
    test::write_file(m_root / "out/checkpoint-500/model.safetensors", "w");
    test::write_file(m_root / "out/checkpoint-500/trainer_state.json", "{}");
    m_source.push(m_root / "out", IN_CREATE | IN_ISDIR, "tmp-checkpoint-500");
    m_source.push(m_root / "out", IN_MOVED_FROM | IN_ISDIR, "tmp-checkpoint-500");
    m_source.push(m_root / "out", IN_MOVED_TO | IN_ISDIR, "checkpoint-500");
    m_watcher.process_events(k_t0);
    EXPECT_GE(m_source.wd_of(m_root / "out/checkpoint-500"), 0);
    EXPECT_LT(m_source.wd_of(m_root / "out/tmp-checkpoint-500"), 0);
    // More files in it push the whole checkpoint back.
    m_source.push(m_root / "out/checkpoint-500", IN_CLOSE_WRITE, "rng_state.pth");
    m_watcher.process_events(k_t0 + 800ms);
    EXPECT_TRUE(m_watcher.take_changes(k_t0 + 1s).empty());
    EXPECT_EQ(m_watcher.take_changes(k_t0 + 1800ms), Changes{settled("out/checkpoint-500")});
    // The trainer's rotation deletes it piece by piece: that is no new version.
    m_source.push(m_root / "out/checkpoint-500", IN_DELETE, "model.safetensors");
    m_source.push(m_root / "out/checkpoint-500", IN_DELETE, "trainer_state.json");
    m_watcher.process_events(k_t0 + 5s);
    EXPECT_TRUE(m_watcher.take_changes(k_t0 + 1h).empty());
}

TEST_F(WatcherSeriesTest, CheckpointFilesSettleOnTheirOwnAndTemporaryNamesNever) {
    start(config::CheckpointPreset::sb3);
    m_source.push(m_root, IN_CLOSE_WRITE, "rl_model_100_steps.zip");
    m_source.push(m_root, IN_CLOSE_WRITE, "rl_model_replay_buffer_100_steps.pkl");
    m_source.push(m_root, IN_CLOSE_WRITE, "rl_model_200_steps.zip.tmp");
    m_watcher.process_events(k_t0);
    // The replay buffer settles with its checkpoint, not as a model of its own.
    EXPECT_EQ(m_watcher.take_changes(k_t0 + 1s), Changes{settled("rl_model_100_steps.zip")});
}

TEST_F(WatcherSeriesTest, ScansListCheckpointsInStepOrderWithTheirFiles) {
    start(config::CheckpointPreset::huggingface);
    for (const char* step : {"1000", "500", "1500"}) {
        test::write_file(m_root / "out" / ("checkpoint-" + std::string(step)) / "config.json",
                         step);
    }
    test::write_file(m_root / "out/checkpoint-500/trainer_state.json", "{}");
    test::write_file(m_root / "out/checkpoint-500/.hidden", "skipped");
    test::write_file(m_root / "model.safetensors", "the final model");
    const auto found = list_checkpoints(m_watch);
    ASSERT_EQ(found.size(), 3u);
    EXPECT_EQ(found[0].member, "out/checkpoint-500");
    EXPECT_EQ(found[1].member, "out/checkpoint-1000");
    EXPECT_EQ(found[2].member, "out/checkpoint-1500");
    EXPECT_EQ(list_checkpoint_files(m_watch, found[0]),
              (std::vector<std::string>{"out/checkpoint-500/config.json",
                                        "out/checkpoint-500/trainer_state.json"}));
    EXPECT_TRUE(is_newest(m_watch, found[2]));
    EXPECT_FALSE(is_newest(m_watch, found[0]));
    // A model file that is no checkpoint is a model of its own (the watch does not recurse:
    // the checkpoints' folders are walked for the series only).
    EXPECT_EQ(list_models(m_watch), std::vector<std::string>{"model.safetensors"});
    EXPECT_TRUE(list_model_files(m_watch, "out/checkpoint-500/config.json").empty());
    ASSERT_TRUE(checkpoint_at(m_watch, "out/checkpoint-1000"));
    EXPECT_FALSE(checkpoint_at(m_watch, "out/checkpoint-2000")); // not there
    stdfs::remove_all(m_root / "out/checkpoint-1000");
    EXPECT_TRUE(list_checkpoint_files(m_watch, found[1]).empty());
}

} // namespace
} // namespace mv::watcher
