// Regressions for defects found in review: symlinks, FIFOs, fake models, spellings of
// model ids, and clients waiting while the daemon stops.
#include <csignal>
#include <sys/stat.h>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
const std::string k_review_pickle = pickle("weights");

TEST_F(DaemonTest, SymlinkedFoldersInAWatchAreNeverFollowed) {
    // Someone who can write the watched folder links a folder the daemon can read.
    write_file(dir / "secret/key.pkl", k_review_pickle);
    write_file(dir / "secret/key.metrics.json", R"({"token": "hunter2"})");
    std::filesystem::create_directory_symlink(dir / "secret", models / "linkdir");
    std::filesystem::create_symlink(dir / "secret/key.metrics.json", models / "dqn.metrics.json");
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/eval/win_rate"}}}};
    config["watches"][0]["sidecars"] = {"{stem}.metrics.json"};
    start_daemon();
    // Asking for it explicitly is refused and nothing is stored.
    const auto out = ctl({"backup", "lab/linkdir/key.pkl"});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_NE(out.err.find("symlink"), std::string::npos) << out.out << out.err;
    // A real model next to a symlinked metrics file: backed up, but without the linked data.
    write_model("dqn.pkl", k_review_pickle);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    const auto manifest = ctl_json({"show", "lab/dqn.pkl"});
    EXPECT_EQ(manifest["metrics"], nlohmann::json::object());
    EXPECT_EQ(manifest["files"].size(), 1u);
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(versions().size(), 1u) << versions().dump(2);
}

TEST_F(DaemonTest, AFifoIsRefusedAndBlocksNothing) {
    ASSERT_EQ(::mkfifo((models / "fifo.pkl").c_str(), 0644), 0);
    start_daemon();
    const auto start = std::chrono::steady_clock::now();
    const auto out = ctl({"backup", "lab/fifo.pkl"});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_NE(out.err.find("not a regular file"), std::string::npos) << out.err;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(stop_daemon(), 0);
}

TEST_F(DaemonTest, DirectoryWatchesHaveExactlyOneModel) {
    config["watches"][0]["layout"] = "directory";
    config["watches"][0]["name"] = "tf";
    write_model("saved_model.pb", "\x08\x01graph");
    write_model("sub/config.json", "{}");
    start_daemon();
    const auto out = ctl({"backup", "tf/sub"});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_NE(out.err.find("back up tf instead"), std::string::npos) << out.err;
    EXPECT_EQ(ctl({"backup", "tf"}).exit_code, 0);
}

TEST_F(DaemonTest, ModelIdsHaveOneSpelling) {
    start_daemon();
    write_model("a.pkl", k_review_pickle);
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 1));
    const auto out = ctl({"show", "lab/\\x61.pkl"});
    EXPECT_NE(out.exit_code, 0);
    EXPECT_NE(out.err.find("write it as \"a.pkl\""), std::string::npos) << out.err;
}

TEST_F(DaemonTest, ClientsWaitingWhenTheDaemonStopsGetAnAnswer) {
    config["watches"][0]["triggers"] = {{"on_change", false}};
    write_model("big.safetensors", random_bytes(512u << 20, 9));
    start_daemon();
    // A manual backup of a large file is running ...
    CommandResult result;
    std::thread waiting([&] { result = ctl({"backup", "lab/big.safetensors"}); });
    ASSERT_TRUE(wait_until(
        [&] {
            std::error_code ignored;
            for (const auto& e : std::filesystem::directory_iterator(vault / "tmp", ignored)) {
                if (e.file_size(ignored) > 0) {
                    return true;
                }
            }
            return false;
        },
        60s, 5ms));
    // ... when the daemon is told to stop: the client hears why, the daemon exits 0.
    EXPECT_EQ(stop_daemon(), 0);
    waiting.join();
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("stopping"), std::string::npos) << result.out << result.err;
    EXPECT_TRUE(std::filesystem::is_empty(vault / "tmp"));
}

} // namespace
} // namespace mv::test
