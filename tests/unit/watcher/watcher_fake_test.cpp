// The Watcher driven one step at a time by a scripted event source. The watch roots are
// real temporary folders (the Watcher stats and walks them); the events are made up.
#include <sys/inotify.h>

#include <gtest/gtest.h>

#include "tests/lib/fake_event_source.hpp"
#include "tests/lib/temp_dir.hpp"
#include "watcher/watch_tree.hpp"
#include "watcher/watcher.hpp"

namespace mv::watcher {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;
using Changes = std::vector<Change>;

const SteadyTime k_fake_t0{std::chrono::hours(1000)};

Change settled(std::string watch, std::string model) {
    return {Change::Kind::settled, std::move(watch), std::move(model)};
}

Change rescan(std::string watch) {
    return {Change::Kind::rescan, std::move(watch), ""};
}

class WatcherFakeTest : public ::testing::Test {
protected:
    config::Watch make_watch(std::string name, stdfs::path path) {
        config::Watch watch;
        watch.name = std::move(name);
        watch.path = std::move(path);
        watch.settle = 1s;
        return watch;
    }

    WatchStatus status_of(const std::string& name) const {
        for (auto& status : m_watcher.status()) {
            if (status.name == name) {
                return status;
            }
        }
        ADD_FAILURE() << "no status for " << name;
        return {};
    }

    /// Configures one watch "lab" on `root` and consumes the start-up rescan.
    void start_lab() {
        m_watcher.configure({make_watch("lab", m_root)}, k_fake_t0);
        ASSERT_EQ(m_watcher.take_changes(k_fake_t0), Changes{rescan("lab")});
    }

    test::TempDir m_dir{"watcher-fake"};
    stdfs::path m_root = m_dir / "lab";
    test::FakeEventSource m_source;
    Watcher m_watcher{m_source};
};

TEST_F(WatcherFakeTest, ConfigureWatchesTheTreeAndAsksForARescan) {
    stdfs::create_directories(m_root / "runs/1");
    stdfs::create_directories(m_root / ".git/objects"); // excluded: not watched
    m_watcher.configure({make_watch("lab", m_root)}, k_fake_t0);

    const std::set<stdfs::path> expected{m_root, m_root / "runs", m_root / "runs/1"};
    EXPECT_EQ(m_source.watched(), expected);
    EXPECT_NE(m_source.mask_of(m_root / "runs") & IN_DONT_FOLLOW, 0u);
    EXPECT_EQ(status_of("lab").state, WatchState::watching);
    EXPECT_EQ(status_of("lab").directories, 3u);
    EXPECT_EQ(m_watcher.next_deadline(), k_fake_t0);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0), Changes{rescan("lab")});
    EXPECT_EQ(m_watcher.next_deadline(), std::nullopt);
}

TEST_F(WatcherFakeTest, AClosedModelFileSettlesAfterTheQuietPeriod) {
    stdfs::create_directories(m_root);
    start_lab();
    m_source.push(m_root, IN_CLOSE_WRITE, "dqn.pkl");
    m_watcher.process_events(k_fake_t0);
    EXPECT_EQ(status_of("lab").pending, 1u);
    EXPECT_EQ(m_watcher.next_deadline(), k_fake_t0 + 1s);
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0 + 999ms).empty());
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 1s), Changes{settled("lab", "dqn.pkl")});
    EXPECT_EQ(status_of("lab").pending, 0u);
}

TEST_F(WatcherFakeTest, AppendAfterCloseWaitsForTheNextClose) {
    stdfs::create_directories(m_root);
    start_lab();
    m_source.push(m_root, IN_CLOSE_WRITE, "dqn.h5");
    m_watcher.process_events(k_fake_t0);
    m_source.push(m_root, IN_MODIFY, "dqn.h5");
    m_watcher.process_events(k_fake_t0 + 500ms);
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0 + 1h).empty());
    m_source.push(m_root, IN_CLOSE_WRITE, "dqn.h5");
    m_watcher.process_events(k_fake_t0 + 1h);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 1h + 1s), Changes{settled("lab", "dqn.h5")});
}

TEST_F(WatcherFakeTest, DeleteAndMoveAwayCancelAPendingModel) {
    stdfs::create_directories(m_root);
    start_lab();
    m_source.push(m_root, IN_CLOSE_WRITE, "a.pkl");
    m_source.push(m_root, IN_CLOSE_WRITE, "b.pkl");
    m_source.push(m_root, IN_DELETE, "a.pkl");
    m_source.push(m_root, IN_MOVED_FROM, "b.pkl");
    m_watcher.process_events(k_fake_t0);
    EXPECT_EQ(status_of("lab").pending, 0u);
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0 + 1h).empty());
}

TEST_F(WatcherFakeTest, FilteredFilesAreIgnored) {
    stdfs::create_directories(m_root);
    start_lab();
    m_source.push(m_root, IN_CLOSE_WRITE, "notes.txt");   // not included
    m_source.push(m_root, IN_CLOSE_WRITE, "dqn.pkl.tmp"); // excluded
    m_source.push(m_root, IN_MOVED_TO, "tmp_dqn.pkl");    // excluded
    m_watcher.process_events(k_fake_t0);
    EXPECT_EQ(status_of("lab").pending, 0u);
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0 + 1h).empty());
}

TEST_F(WatcherFakeTest, OverflowAsksForARescanOfEveryWatch) {
    const auto other = m_dir / "other";
    stdfs::create_directories(m_root);
    stdfs::create_directories(other);
    m_watcher.configure({make_watch("lab", m_root), make_watch("other", other)}, k_fake_t0);
    ASSERT_EQ(m_watcher.take_changes(k_fake_t0), (Changes{rescan("lab"), rescan("other")}));

    // A folder appeared while events were being lost: the rescan also watches it.
    stdfs::create_directories(other / "new");
    m_source.push(RawEvent{-1, IN_Q_OVERFLOW, 0, {}});
    m_watcher.process_events(k_fake_t0 + 5s);
    EXPECT_EQ(m_watcher.next_deadline(), k_fake_t0 + 5s);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 5s), (Changes{rescan("lab"), rescan("other")}));
    EXPECT_GE(m_source.wd_of(other / "new"), 0);
}

TEST_F(WatcherFakeTest, ANewFolderIsWatchedAndWhatIsAlreadyInsideSettles) {
    stdfs::create_directories(m_root);
    start_lab();
    // mkdir -p a/b and a write, all before the Watcher heard of "a".
    test::write_file(m_root / "a/b/early.pt", "x");
    test::write_file(m_root / "a/b/skip.tmp", "x");
    m_source.push(m_root, IN_CREATE | IN_ISDIR, "a");
    m_watcher.process_events(k_fake_t0);
    EXPECT_GE(m_source.wd_of(m_root / "a"), 0);
    EXPECT_GE(m_source.wd_of(m_root / "a/b"), 0);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 1s), Changes{settled("lab", "a/b/early.pt")});

    // Events inside the new folder are seen with their full relative path.
    m_source.push(m_root / "a/b", IN_CLOSE_WRITE, "late.pt");
    m_watcher.process_events(k_fake_t0 + 2s);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 3s), Changes{settled("lab", "a/b/late.pt")});
}

TEST_F(WatcherFakeTest, ARemovedFolderIsUnwatchedAndItsPendingModelsDropped) {
    stdfs::create_directories(m_root / "a/b");
    start_lab();
    m_source.push(m_root / "a/b", IN_CLOSE_WRITE, "m.pt");
    m_source.push(m_root, IN_CLOSE_WRITE, "keep.pt");
    m_source.push(m_root, IN_MOVED_FROM | IN_ISDIR, "a");
    m_watcher.process_events(k_fake_t0);
    EXPECT_EQ(m_source.watched(), std::set<stdfs::path>{m_root});
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 1s), Changes{settled("lab", "keep.pt")});
}

TEST_F(WatcherFakeTest, NonRecursiveWatchIgnoresSubfolders) {
    stdfs::create_directories(m_root / "sub");
    auto watch = make_watch("lab", m_root);
    watch.recursive = false;
    m_watcher.configure({watch}, k_fake_t0);
    EXPECT_EQ(m_source.watched(), std::set<stdfs::path>{m_root});
    test::write_file(m_root / "new/x.pt", "x");
    m_source.push(m_root, IN_CREATE | IN_ISDIR, "new");
    m_watcher.process_events(k_fake_t0);
    EXPECT_EQ(m_source.watched(), std::set<stdfs::path>{m_root});
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 1h), Changes{rescan("lab")});
}

TEST_F(WatcherFakeTest, DirectoryLayoutSettlesTheWholeTreeOnce) {
    stdfs::create_directories(m_root / "variables");
    auto watch = make_watch("saved", m_root);
    watch.layout = config::Layout::directory;
    m_watcher.configure({watch}, k_fake_t0);
    ASSERT_EQ(m_watcher.take_changes(k_fake_t0), Changes{rescan("saved")});

    m_source.push(m_root, IN_CLOSE_WRITE, "saved_model.pb");
    m_source.push(m_root / "variables", IN_MODIFY, "variables.index");
    m_watcher.process_events(k_fake_t0);
    m_source.push(m_root / "variables", IN_CLOSE_WRITE, "variables.index");
    m_source.push(m_root, IN_CLOSE_WRITE, "fingerprint.txt"); // include does not apply
    m_watcher.process_events(k_fake_t0 + 300ms);
    m_source.push(m_root, IN_DELETE, "scratch");
    m_watcher.process_events(k_fake_t0 + 600ms);

    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0 + 1599ms).empty());
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 1600ms), Changes{settled("saved", "")});
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0 + 1h).empty());
}

TEST_F(WatcherFakeTest, MissingPathStartsWatchingWhenItAppears) {
    m_watcher.configure({make_watch("lab", m_root)}, k_fake_t0);
    auto status = status_of("lab");
    EXPECT_EQ(status.state, WatchState::missing);
    EXPECT_NE(status.message.find("does not exist"), std::string::npos) << status.message;
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0).empty());

    test::write_file(m_root, "a file, not a folder");
    m_watcher.poll(k_fake_t0 + 1s);
    status = status_of("lab");
    EXPECT_EQ(status.state, WatchState::missing);
    EXPECT_NE(status.message.find("not a directory"), std::string::npos) << status.message;

    stdfs::remove(m_root);
    stdfs::create_directories(m_root);
    m_watcher.poll(k_fake_t0 + 2s);
    EXPECT_EQ(status_of("lab").state, WatchState::watching);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 2s), Changes{rescan("lab")});
}

TEST_F(WatcherFakeTest, DeletedRootBecomesMissing) {
    stdfs::create_directories(m_root / "sub");
    start_lab();
    m_source.push(m_root, IN_CLOSE_WRITE, "a.pkl");
    m_watcher.process_events(k_fake_t0);
    stdfs::remove_all(m_root);
    m_source.push(m_root, IN_DELETE_SELF);
    m_watcher.process_events(k_fake_t0 + 100ms);
    const auto status = status_of("lab");
    EXPECT_EQ(status.state, WatchState::missing);
    EXPECT_EQ(status.directories, 0u);
    EXPECT_EQ(status.pending, 0u);
    EXPECT_TRUE(m_source.watched().empty());
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0 + 1h).empty());
}

TEST_F(WatcherFakeTest, WatchLimitIsAnErrorThatIsRetried) {
    stdfs::create_directories(m_root / "sub");
    const std::string advice = "cannot watch: raise fs.inotify.max_user_watches";
    m_source.fail_add(m_root / "sub", advice);
    m_watcher.configure({make_watch("lab", m_root)}, k_fake_t0);
    auto status = status_of("lab");
    EXPECT_EQ(status.state, WatchState::error);
    EXPECT_EQ(status.message, advice);
    EXPECT_TRUE(m_source.watched().empty()); // no half-watched tree
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0).empty());

    // The limit is raised; the next attempt comes after the retry interval, not before.
    m_source.fail_add(m_root / "sub", std::nullopt);
    m_watcher.poll(k_fake_t0 + k_error_retry_interval - 1ms);
    EXPECT_EQ(status_of("lab").state, WatchState::error);
    m_watcher.poll(k_fake_t0 + k_error_retry_interval);
    EXPECT_EQ(status_of("lab").state, WatchState::watching);
    EXPECT_EQ(status_of("lab").message, "");
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + k_error_retry_interval), Changes{rescan("lab")});
}

TEST_F(WatcherFakeTest, ReconfigureKeepsUnchangedWatchesAndRebuildsChangedOnes) {
    const auto other = m_dir / "other";
    stdfs::create_directories(m_root);
    stdfs::create_directories(other);
    auto lab = make_watch("lab", m_root);
    auto gone = make_watch("gone", other);
    m_watcher.configure({lab, gone}, k_fake_t0);
    m_watcher.take_changes(k_fake_t0);
    const int lab_wd = m_source.wd_of(m_root);
    m_source.push(m_root, IN_CLOSE_WRITE, "a.pkl");
    m_watcher.process_events(k_fake_t0);

    // Same tree, new settle time: the pending model and the inotify watch survive.
    lab.settle = 3s;
    m_watcher.configure({lab}, k_fake_t0 + 100ms);
    EXPECT_EQ(m_source.wd_of(m_root), lab_wd);
    EXPECT_EQ(m_source.wd_of(other), -1); // "gone" was removed
    EXPECT_EQ(m_watcher.status().size(), 1u);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 1s), Changes{settled("lab", "a.pkl")});

    // A different include list changes which files count: rebuilt and rescanned.
    lab.include = {"*.pt"};
    m_watcher.configure({lab}, k_fake_t0 + 2s);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 2s), Changes{rescan("lab")});
    m_source.push(m_root, IN_CLOSE_WRITE, "b.pkl");
    m_source.push(m_root, IN_CLOSE_WRITE, "c.pt");
    m_watcher.process_events(k_fake_t0 + 2s);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 5s), Changes{settled("lab", "c.pt")});
}

TEST_F(WatcherFakeTest, OverlappingWatchesShareADescriptor) {
    const auto sub = m_root / "pacman";
    stdfs::create_directories(sub);
    m_watcher.configure({make_watch("all", m_root), make_watch("pacman", sub)}, k_fake_t0);
    m_watcher.take_changes(k_fake_t0);

    // One event in the shared folder reaches both watches, each with its own path.
    m_source.push(sub, IN_CLOSE_WRITE, "dqn.pkl");
    m_watcher.process_events(k_fake_t0);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 1s),
              (Changes{settled("all", "pacman/dqn.pkl"), settled("pacman", "dqn.pkl")}));

    // Dropping one watch must not unwatch the folder the other still needs.
    m_watcher.configure({make_watch("all", m_root)}, k_fake_t0 + 2s);
    EXPECT_GE(m_source.wd_of(sub), 0);
    m_source.push(sub, IN_CLOSE_WRITE, "dqn.pkl");
    m_watcher.process_events(k_fake_t0 + 2s);
    EXPECT_EQ(m_watcher.take_changes(k_fake_t0 + 3s), Changes{settled("all", "pacman/dqn.pkl")});
}

TEST_F(WatcherFakeTest, SymlinkMovedInIsNotAModel) {
    stdfs::create_directories(m_root);
    start_lab();
    test::write_file(m_dir / "real.pkl", "x");
    stdfs::create_symlink(m_dir / "real.pkl", m_root / "link.pkl");
    m_source.push(m_root, IN_MOVED_TO, "link.pkl");
    m_watcher.process_events(k_fake_t0);
    EXPECT_TRUE(m_watcher.take_changes(k_fake_t0 + 1h).empty());
}

} // namespace
} // namespace mv::watcher
