// A vault that was tampered with or damaged (issue 10): FIFOs where archives should be,
// sidecars that name files elsewhere or cannot be read, removals cut short by a kill.
// Each is reported or refused, nothing blocks, and no version number is given twice.
#include <algorithm>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "ipc/client.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class VaultDamageTest : public DaemonTest {
protected:
    /// Makes `count` versions of lab/dqn.pkl and stops the daemon.
    void make_versions(int count) {
        start_daemon();
        for (int i = 0; i < count; ++i) {
            write_model("dqn.pkl", pickle("weights " + std::to_string(i)));
            ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", static_cast<std::size_t>(i + 1)));
        }
        ASSERT_EQ(stop_daemon(), 0);
    }

    /// The files of the model's folder ending with `suffix`, sorted (oldest version first).
    std::vector<std::filesystem::path> files_ending(const std::string& suffix) const {
        std::vector<std::filesystem::path> found;
        for (const auto& entry : std::filesystem::directory_iterator(folder)) {
            if (entry.path().string().ends_with(suffix)) {
                found.push_back(entry.path());
            }
        }
        std::sort(found.begin(), found.end());
        return found;
    }

    std::filesystem::path folder = vault / "models/lab/dqn.pkl";
};

TEST_F(VaultDamageTest, DamagedSidecarsAreReportedAndTheirNumbersAreNeverGivenAgain) {
    make_versions(5);
    const auto sidecars = files_ending(".json");
    ASSERT_EQ(sidecars.size(), 5u);
    // Truncated, garbage, nested too deep, valid JSON with a wrong type, and a model id
    // that climbs out of models/ (it stopped the daemon from starting).
    const std::string text = read_file(sidecars[0]);
    write_file(sidecars[0], text.substr(0, text.size() / 2));
    write_file(sidecars[1], std::string("\x00\xff garbage", 10));
    write_file(sidecars[2], std::string(100'000, '[') + std::string(100'000, ']'));
    auto wrong = json::parse(read_file(sidecars[3]));
    wrong["sequence"] = "four";
    write_file(sidecars[3], wrong.dump(2));
    auto climbing = json::parse(read_file(sidecars[4]));
    climbing["model"] = "lab/../../../etc";
    write_file(sidecars[4], climbing.dump(2));
    start_daemon();

    // verify --all counts every one of them as failed (before: "0 failed").
    const auto verified = ctl({"--json", "verify", "--all"});
    EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
    const auto report = json::parse(verified.out);
    EXPECT_EQ(report["failed"], 5) << report.dump(2);
    for (const auto& sidecar : sidecars) {
        EXPECT_NE(verified.out.find(sidecar.filename().string()), std::string::npos)
            << sidecar << " not reported: " << verified.out;
    }
    // status names them.
    const auto status = ctl_json({"status"});
    EXPECT_EQ(status["vault"]["damaged"].size(), 5u) << status.dump(2);
    EXPECT_NE(ctl({"status"}).out.find("DAMAGED sidecar"), std::string::npos);

    // The next backup gets a new number: 1.0.5, never 1.0.4 a second time.
    write_model("dqn.pkl", pickle("weights after the damage"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    EXPECT_EQ(versions("lab/dqn.pkl")[0]["version"], "1.0.5") << versions().dump(2);
}

TEST_F(VaultDamageTest, AFifoWhereAnArchiveOrSidecarShouldBeBlocksNothing) {
    make_versions(1);
    const auto archives = files_ending(".tar.zst");
    ASSERT_EQ(archives.size(), 1u);
    std::filesystem::remove(archives[0]);
    ASSERT_EQ(::mkfifo(archives[0].c_str(), 0644), 0);
    ASSERT_EQ(::mkfifo((folder / "planted.json").c_str(), 0644), 0);
    // Before the fix the daemon hung at start on the FIFO sidecar, and verify, restore and
    // SIGTERM on the FIFO archive.
    start_daemon();
    const auto start = std::chrono::steady_clock::now();
    const auto verified = ctl({"verify", "lab/dqn.pkl"}, 20s);
    EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
    EXPECT_NE(verified.out.find("is a FIFO, not a regular file"), std::string::npos)
        << verified.out;
    EXPECT_NE(verified.out.find(archives[0].filename().string()), std::string::npos);
    EXPECT_NE(verified.out.find("planted.json"), std::string::npos) << verified.out;
    const auto restored = ctl({"restore", "lab/dqn.pkl", "--to", (dir / "r").string()}, 20s);
    EXPECT_EQ(restored.exit_code, 1) << restored.out << restored.err;
    EXPECT_NE(restored.err.find("is a FIFO"), std::string::npos) << restored.err;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    EXPECT_EQ(ctl({"status"}).exit_code, 0);
    const auto stopping = std::chrono::steady_clock::now();
    EXPECT_EQ(stop_daemon(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 10s);
}

TEST_F(VaultDamageTest, ASidecarCannotHandOutAFileOutsideTheModelsFolder) {
    make_versions(1);
    write_file(dir / "secret.txt", "the shadow file");
    const auto sidecar = files_ending(".json").at(0);
    auto manifest = json::parse(read_file(sidecar));
    manifest["archive"]["file"] = "../../../../secret.txt"; // vault/models/lab/dqn.pkl/.. x4
    write_file(sidecar, manifest.dump(2));
    start_daemon();
    // Before the fix the daemon passed a descriptor of secret.txt to any reader.
    auto reply = ipc::Client::connect(socket).call("restore", {{"target", "lab/dqn.pkl"}}, {}, 10s);
    EXPECT_FALSE(reply.ok()) << reply.message.dump();
    EXPECT_FALSE(reply.fd) << "a descriptor was handed out";
    const auto verified = ctl({"verify", "--all"});
    EXPECT_EQ(verified.exit_code, 1);
    EXPECT_NE(verified.out.find("archive.file"), std::string::npos) << verified.out;
}

TEST_F(VaultDamageTest, ARemovalCutShortByAKillIsFinishedAtStartAndRecordedOnce) {
    make_versions(2);
    const auto sidecars = files_ending(".json");
    ASSERT_EQ(sidecars.size(), 2u);
    // The daemon was killed after writing the `removed` record of 1.0.0 and before
    // removing its sidecar.
    std::ofstream(folder / "history.jsonl", std::ios::app)
        << R"({"time":"2026-11-22T09:00:00Z","pointer":"removed","from":"1.0.0","to":null,)"
           R"("reason":"retention: no rule keeps it","uid":-1,"sequence":1})"
        << "\n";
    config["watches"][0]["retention"] = {{"keep_last", 1}};
    start_daemon();
    const auto listed = versions("lab/dqn.pkl");
    ASSERT_EQ(listed.size(), 1u) << listed.dump(2);
    EXPECT_EQ(listed[0]["version"], "1.0.1");
    EXPECT_EQ(files_ending(".json").size(), 1u);
    EXPECT_EQ(files_ending(".tar.zst").size(), 1u);
    // A prune finds nothing more to do: the history keeps one record of the removal.
    EXPECT_EQ(ctl({"prune", "lab/dqn.pkl"}).exit_code, 0);
    const std::string history = read_file(folder / "history.jsonl");
    std::size_t records = 0;
    for (std::size_t at = history.find("\"removed\""); at != std::string::npos;
         at = history.find("\"removed\"", at + 1)) {
        ++records;
    }
    EXPECT_EQ(records, 1u) << history;
    // And the next number is 1.0.2.
    write_model("dqn.pkl", pickle("weights 2"));
    EXPECT_TRUE(wait_until(
        [&] {
            const auto now = versions("lab/dqn.pkl");
            return !now.empty() && now[0]["version"] == "1.0.2";
        },
        30s))
        << versions().dump(2);
}

} // namespace
} // namespace mv::test
