// A vault that was tampered with or damaged (issue 10): FIFOs where packs or manifests
// should be, manifests that cannot be read or name files outside the restore target,
// removals cut short by a kill.
// Each is reported or refused, nothing blocks, and no version number is given twice.
#include <algorithm>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"
#include "vault/sha256.hpp"

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

    /// The manifests of the vault (docs/FORMAT.md, "Manifests"), oldest version first.
    std::vector<std::filesystem::path> manifests() const {
        std::vector<std::pair<std::uint64_t, std::filesystem::path>> found;
        for (const auto& entry : std::filesystem::directory_iterator(vault / "manifests")) {
            const auto manifest = json::parse(read_file(entry.path()));
            found.emplace_back(manifest["sequence"].get<std::uint64_t>(), entry.path());
        }
        std::sort(found.begin(), found.end());
        std::vector<std::filesystem::path> paths;
        for (const auto& [sequence, path] : found) {
            paths.push_back(path);
        }
        return paths;
    }

    /// Every pack file of the vault.
    std::vector<std::filesystem::path> packs() const {
        std::vector<std::filesystem::path> found;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(vault / "packs")) {
            if (entry.is_regular_file()) {
                found.push_back(entry.path());
            }
        }
        return found;
    }

    std::filesystem::path folder = vault / "models/lab/dqn.pkl";
};

TEST_F(VaultDamageTest, DamagedManifestsAreReportedAndTheirNumbersAreNeverGivenAgain) {
    make_versions(6);
    const auto files = manifests();
    ASSERT_EQ(files.size(), 6u);
    // Truncated, garbage, nested too deep, valid JSON with a wrong type, a model id that
    // climbs out of models/ (it stopped the daemon from starting), and a changed byte that
    // still tells which version it is (1.0.5: its number stays taken).
    const std::string text = read_file(files[0]);
    write_file(files[0], text.substr(0, text.size() / 2));
    write_file(files[1], std::string("\x00\xff garbage", 10));
    write_file(files[2], std::string(100'000, '[') + std::string(100'000, ']'));
    auto wrong = json::parse(read_file(files[3]));
    wrong["sequence"] = "four";
    write_file(files[3], wrong.dump(2));
    auto climbing = json::parse(read_file(files[4]));
    climbing["model"] = "lab/../../../etc";
    write_file(files[4], climbing.dump(2));
    auto changed = json::parse(read_file(files[5]));
    ASSERT_EQ(changed["version"], "1.0.5");
    changed["note"] = "changed by hand";
    write_file(files[5], changed.dump(2));
    start_daemon();

    // verify --all counts every one of them as failed (before: "0 failed").
    const auto verified = ctl({"--json", "verify", "--all"});
    EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
    const auto report = json::parse(verified.out);
    EXPECT_EQ(report["failed"], 6) << report.dump(2);
    for (const auto& file : files) {
        EXPECT_NE(verified.out.find(file.filename().string()), std::string::npos)
            << file << " not reported: " << verified.out;
    }
    // status names them.
    const auto status = ctl_json({"status"});
    EXPECT_EQ(status["vault"]["damaged"].size(), 6u) << status.dump(2);
    EXPECT_NE(ctl({"status"}).out.find("DAMAGED manifest"), std::string::npos);

    // The next backup gets a new number: 1.0.6, never 1.0.5 a second time.
    write_model("dqn.pkl", pickle("weights after the damage"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    EXPECT_EQ(versions("lab/dqn.pkl")[0]["version"], "1.0.6") << versions().dump(2);
}

TEST_F(VaultDamageTest, AFifoWhereAPackOrManifestShouldBeBlocksNothing) {
    make_versions(1);
    const auto stored = packs();
    ASSERT_FALSE(stored.empty());
    for (const auto& pack : stored) {
        std::filesystem::remove(pack);
        ASSERT_EQ(::mkfifo(pack.c_str(), 0644), 0);
    }
    const auto planted = vault / "manifests" / (std::string(64, 'a') + ".json");
    ASSERT_EQ(::mkfifo(planted.c_str(), 0644), 0);
    // A FIFO blocked the start (format 1: sidecars), and verify, restore and SIGTERM.
    start_daemon();
    const auto start = std::chrono::steady_clock::now();
    const auto verified = ctl({"verify", "--all", "--read-data"}, 20s);
    EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
    EXPECT_NE(verified.out.find("is a FIFO, not a regular file"), std::string::npos)
        << verified.out;
    EXPECT_NE(verified.out.find(planted.filename().string()), std::string::npos) << verified.out;
    const auto restored = ctl({"restore", "lab/dqn.pkl", "--to", (dir / "r").string()}, 20s);
    EXPECT_EQ(restored.exit_code, 1) << restored.out << restored.err;
    EXPECT_TRUE(!std::filesystem::exists(dir / "r") || std::filesystem::is_empty(dir / "r"));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    EXPECT_EQ(ctl({"status"}).exit_code, 0);
    const auto stopping = std::chrono::steady_clock::now();
    EXPECT_EQ(stop_daemon(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 10s);
}

TEST_F(VaultDamageTest, AManifestCannotSendAFileOutsideTheRestoreTarget) {
    make_versions(1);
    const auto file = manifests().at(0);
    auto manifest = json::parse(read_file(file));
    manifest["files"][0]["path"] = "../../escaped";
    const std::string text = manifest.dump(2);
    std::filesystem::remove(file);
    // Named by its hash, as a manifest written by modelvault: nothing else gives it away.
    write_file(vault / "manifests" / (vault::sha256_hex(text) + ".json"), text);
    start_daemon();
    const auto target = dir / "deep/target";
    const auto restored = ctl({"restore", "lab/dqn.pkl", "--to", target.string()});
    EXPECT_EQ(restored.exit_code, 1) << restored.out << restored.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "escaped"));
    EXPECT_TRUE(!std::filesystem::exists(target) || std::filesystem::is_empty(target));
    const auto verified = ctl({"verify", "--all"});
    EXPECT_EQ(verified.exit_code, 1);
    EXPECT_NE(verified.out.find("unsafe file name \"../../escaped\""), std::string::npos)
        << verified.out;
}

TEST_F(VaultDamageTest, ARemovalCutShortByAKillIsFinishedAtStartAndRecordedOnce) {
    make_versions(2);
    ASSERT_EQ(manifests().size(), 2u);
    // The daemon was killed after writing the `removed` record of 1.0.0 and before
    // removing its manifest. (The model's folder holds only its history: made with it.)
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "history.jsonl", std::ios::app)
        << R"({"time":"2026-11-22T09:00:00Z","pointer":"removed","from":"1.0.0","to":null,)"
           R"("reason":"retention: no rule keeps it","uid":-1,"sequence":1})"
        << "\n";
    config["watches"][0]["retention"] = {{"keep_last", 1}};
    start_daemon();
    const auto listed = versions("lab/dqn.pkl");
    ASSERT_EQ(listed.size(), 1u) << listed.dump(2);
    EXPECT_EQ(listed[0]["version"], "1.0.1");
    EXPECT_EQ(manifests().size(), 1u);
    // A prune finds nothing more to do: the history keeps one record of the removal.
    EXPECT_EQ(ctl({"prune", "lab/dqn.pkl"}).exit_code, 0);
    const std::string history = read_file(folder / "history.jsonl");
    std::size_t records = 0;
    for (std::size_t at = history.find("\"removed\""); at != std::string::npos;
         at = history.find("\"removed\"", at + 1)) {
        ++records;
    }
    EXPECT_EQ(records, 1u) << history;
    // The chunks only 1.0.0 used are collected; 1.0.1 still verifies byte for byte.
    EXPECT_EQ(ctl({"verify", "--all", "--read-data"}).exit_code, 0);
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
