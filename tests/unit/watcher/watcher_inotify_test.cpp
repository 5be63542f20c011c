// The Watcher on the real kernel: inotify in temporary folders, a 50 ms settle time and
// the real steady clock. Every wait is bounded (wait_until), so a bug fails, never hangs.
#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/lib/temp_dir.hpp"
#include "tests/lib/wait.hpp"
#include "watcher/watcher.hpp"

namespace mv::watcher {
namespace {

namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

SteadyTime now() {
    return std::chrono::steady_clock::now();
}

class WatcherInotifyTest : public ::testing::Test {
protected:
    config::Watch make_watch(std::string name, stdfs::path path) {
        config::Watch watch;
        watch.name = std::move(name);
        watch.path = std::move(path);
        watch.settle = 50ms;
        return watch;
    }

    /// One turn of the owner's loop: events, housekeeping, due changes.
    void step() {
        const auto time = now();
        m_watcher.process_events(time);
        m_watcher.poll(time);
        for (auto& change : m_watcher.take_changes(time)) {
            m_changes.push_back(std::move(change));
        }
    }

    bool has(const Change& change) const {
        return std::find(m_changes.begin(), m_changes.end(), change) != m_changes.end();
    }

    /// Steps until `change` arrives (false after the timeout).
    bool wait_for(const Change& change) {
        return test::wait_until([&] {
            step();
            return has(change);
        });
    }

    /// Steps until nothing is pending any more.
    bool wait_quiet() {
        return test::wait_until([&] {
            step();
            return !m_watcher.next_deadline().has_value();
        });
    }

    WatchState state_of(const std::string& name) const {
        for (const auto& status : m_watcher.status()) {
            if (status.name == name) {
                return status.state;
            }
        }
        return WatchState::error;
    }

    /// Configures "lab" on the existing root and consumes its start-up rescan.
    void start_lab() {
        stdfs::create_directories(m_root);
        m_watcher.configure({make_watch("lab", m_root)}, now());
        ASSERT_TRUE(wait_for(rescan("lab")));
        m_changes.clear();
    }

    static Change settled(std::string model) {
        return {Change::Kind::settled, "lab", std::move(model)};
    }
    static Change rescan(std::string watch) { return {Change::Kind::rescan, std::move(watch), ""}; }

    test::TempDir m_dir{"watcher-inotify"};
    stdfs::path m_root = m_dir / "lab";
    std::unique_ptr<EventSource> m_source = make_inotify_source();
    Watcher m_watcher{*m_source};
    std::vector<Change> m_changes;
};

TEST_F(WatcherInotifyTest, SourceHasAPollableDescriptor) {
    EXPECT_GE(m_source->native_handle(), 0);
    EXPECT_TRUE(m_source->read_events().empty());
}

TEST_F(WatcherInotifyTest, AWrittenFileSettles) {
    start_lab();
    test::write_file(m_root / "dqn.pkl", test::random_bytes(100000));
    ASSERT_TRUE(wait_for(settled("dqn.pkl")));
    ASSERT_TRUE(wait_quiet());
    EXPECT_EQ(m_changes, std::vector<Change>{settled("dqn.pkl")});
}

TEST_F(WatcherInotifyTest, AFileInANewNestedFolderSettles) {
    start_lab();
    // mkdir -p a/b/c then write at once: the folders exist before the Watcher sees them.
    stdfs::create_directories(m_root / "a/b/c");
    test::write_file(m_root / "a/b/c/policy.pt", "weights");
    ASSERT_TRUE(wait_for(settled("a/b/c/policy.pt")));
    // The new folders are watched from now on.
    test::write_file(m_root / "a/b/second.pt", "more");
    ASSERT_TRUE(wait_for(settled("a/b/second.pt")));
}

TEST_F(WatcherInotifyTest, AFileMovedInSettles) {
    start_lab();
    test::write_file(m_dir / "staging/model.onnx", "onnx");
    stdfs::rename(m_dir / "staging/model.onnx", m_root / "model.onnx");
    ASSERT_TRUE(wait_for(settled("model.onnx")));
}

TEST_F(WatcherInotifyTest, AFolderMovedInSettlesItsFiles) {
    start_lab();
    test::write_file(m_dir / "staging/run/m.safetensors", "st");
    stdfs::rename(m_dir / "staging/run", m_root / "run");
    ASSERT_TRUE(wait_for(settled("run/m.safetensors")));
}

TEST_F(WatcherInotifyTest, ExcludedAndNonIncludedFilesNeverSettle) {
    start_lab();
    test::write_file(m_root / "dqn.pkl.tmp", "x");
    test::write_file(m_root / "tmp_dqn.pkl", "x");
    test::write_file(m_root / ".git/x.pkl", "x");
    test::write_file(m_root / "notes.txt", "x");
    // Written last: once it settled, anything written before would have settled too.
    test::write_file(m_root / "sentinel.pkl", "x");
    ASSERT_TRUE(wait_for(settled("sentinel.pkl")));
    ASSERT_TRUE(wait_quiet());
    EXPECT_EQ(m_changes, std::vector<Change>{settled("sentinel.pkl")});
}

TEST_F(WatcherInotifyTest, AppendingWriterSettlesOnceAfterItsLastClose) {
    start_lab();
    // h5py-style: write and close, re-open and append, close. The events are applied at
    // one synthetic instant, so the timing of this machine does not matter.
    test::write_file(m_root / "agent.h5", "header");
    const int fd = ::open((m_root / "agent.h5").c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "data", 4), 4);
    const auto t = now();
    m_watcher.process_events(t);
    EXPECT_TRUE(m_watcher.take_changes(t + 1h).empty()); // still open for writing
    ::close(fd);
    ASSERT_TRUE(test::wait_until([&] {
        m_watcher.process_events(t + 2h);
        return m_watcher.next_deadline() == t + 2h + 50ms;
    }));
    EXPECT_EQ(m_watcher.take_changes(t + 2h + 50ms), std::vector<Change>{settled("agent.h5")});
}

TEST_F(WatcherInotifyTest, MissingPathStartsWatchingWhenCreated) {
    m_watcher.configure({make_watch("lab", m_root)}, now());
    EXPECT_EQ(state_of("lab"), WatchState::missing);
    step();
    EXPECT_TRUE(m_changes.empty());

    stdfs::create_directories(m_root);
    ASSERT_TRUE(wait_for(rescan("lab")));
    EXPECT_EQ(state_of("lab"), WatchState::watching);
    test::write_file(m_root / "dqn.pkl", "x");
    ASSERT_TRUE(wait_for(settled("dqn.pkl")));
}

TEST_F(WatcherInotifyTest, DeletedRootBecomesMissingAndComesBack) {
    start_lab();
    test::write_file(m_root / "sub/a.pkl", "x");
    stdfs::remove_all(m_root);
    ASSERT_TRUE(test::wait_until([&] {
        step();
        return state_of("lab") == WatchState::missing;
    }));
    EXPECT_EQ(m_watcher.status().front().directories, 0u);

    stdfs::create_directories(m_root);
    ASSERT_TRUE(wait_for(rescan("lab")));
    EXPECT_EQ(state_of("lab"), WatchState::watching);
}

TEST_F(WatcherInotifyTest, RenamedRootBecomesMissing) {
    start_lab();
    stdfs::rename(m_root, m_dir / "renamed");
    ASSERT_TRUE(test::wait_until([&] {
        step();
        return state_of("lab") == WatchState::missing;
    }));
}

TEST_F(WatcherInotifyTest, WeirdNamesComeThroughByteExact) {
    start_lab();
    const std::vector<std::string> names{"with space.pkl", "new\nline.pkl", "bad\xff\xfe.pkl",
                                         "caf\xc3\xa9/\x01odd.pt"};
    for (const auto& name : names) {
        test::write_file(m_root / name, name);
    }
    for (const auto& name : names) {
        EXPECT_TRUE(wait_for(settled(name))) << name;
    }
}

TEST_F(WatcherInotifyTest, DirectoryLayoutSettlesOnceForABurst) {
    stdfs::create_directories(m_root);
    auto watch = make_watch("saved", m_root);
    watch.layout = config::Layout::directory;
    m_watcher.configure({watch}, now());
    const Change whole{Change::Kind::settled, "saved", ""};
    // A SavedModel written in one go, including a folder and a scratch file removed again.
    test::write_file(m_root / "saved_model.pb", "pb");
    test::write_file(m_root / "variables/variables.index", "idx");
    test::write_file(m_root / "variables/variables.data-00000-of-00001", "data");
    test::write_file(m_root / "scratch.bin", "s");
    stdfs::remove(m_root / "scratch.bin");
    ASSERT_TRUE(wait_for(whole));
    ASSERT_TRUE(wait_quiet());
    EXPECT_EQ(std::count(m_changes.begin(), m_changes.end(), whole), 1);
}

} // namespace
} // namespace mv::watcher
