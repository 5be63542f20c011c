// An encrypted vault with the real daemon (docs/FORMAT.md, "Encryption"): no byte of a
// model reaches the vault's files in clear, not even while a backup runs; the daemon
// refuses to start with a wrong, missing or absent key and changes nothing; damage is
// named and nothing is restored from it.
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

// 64 bytes that random data will never contain by chance.
const std::string k_marker = "modelvault-encryption-marker:0123456789abcdef0123456789abcdef!!!";
// Incompressible weights around the marker: a plain vault stores them as they are.
const std::string k_model =
    pickle(random_bytes(6 << 20, 21) + k_marker + random_bytes(1 << 20, 22));

// Every regular file below `root` that holds `needle`.
std::vector<std::string> files_holding(const std::filesystem::path& root,
                                       const std::string& needle) {
    std::vector<std::string> found;
    std::error_code error;
    for (std::filesystem::recursive_directory_iterator it(root, error), end; !error && it != end;
         it.increment(error)) {
        std::error_code ignored;
        if (!it->is_regular_file(ignored)) {
            continue;
        }
        std::ifstream in(it->path(), std::ios::binary);
        const std::string content((std::istreambuf_iterator<char>(in)), {});
        if (content.find(needle) != std::string::npos) {
            found.push_back(it->path().string());
        }
    }
    return found;
}

// Path → content of every file below `root`.
std::map<std::string, std::string> snapshot(const std::filesystem::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
        if (e.is_regular_file() && e.path().filename() != "lock") {
            files[e.path().string()] = read_file(e.path());
        }
    }
    return files;
}

class EncryptionTest : public DaemonTest {
protected:
    std::filesystem::path key = dir / "vault.key";
    void SetUp() override {
        DaemonTest::SetUp();
        ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", key.string()}).exit_code, 0);
        config["encryption"] = {{"key_file", key.string()}};
    }
    // Starts the daemon with `key_file` and expects it to refuse; returns its log.
    std::string refused_start(const std::filesystem::path& key_file) {
        config["encryption"] = {{"key_file", key_file.string()}};
        write_file(log_file, "");
        launch_daemon();
        const auto code = daemon->wait(60s);
        EXPECT_TRUE(code.has_value() && *code != 0) << "the daemon started";
        return daemon_log();
    }
};

TEST_F(EncryptionTest, NoModelByteReachesTheVaultEvenWhileABackupRuns) {
    start_daemon();
    // Watch every file of the vault while the backup writes its packs in tmp/.
    std::atomic<bool> done{false};
    std::vector<std::string> seen;
    std::thread watcher([&] {
        while (!done) {
            for (auto& file : files_holding(vault, k_marker)) {
                seen.push_back(file);
            }
        }
    });
    write_model("agents/dqn.pkl", k_model);
    const bool committed = wait_for_versions("lab/agents/dqn.pkl", 1, 60s);
    done = true;
    watcher.join();
    ASSERT_TRUE(committed);
    EXPECT_TRUE(seen.empty()) << seen.front();
    EXPECT_TRUE(files_holding(vault, k_marker).empty());
    // The model's name is sealed in the store (state/ and the history folders name models:
    // docs/FORMAT.md lists what stays in clear).
    for (const char* sealed : {"packs", "index", "manifests", "tmp"}) {
        EXPECT_TRUE(files_holding(vault / sealed, "agents/dqn.pkl").empty()) << sealed;
    }
    // vault.json says so; the version comes back byte for byte.
    const std::string marker = read_file(vault / "vault.json");
    EXPECT_NE(marker.find("\"encrypted\": true"), std::string::npos) << marker;
    EXPECT_NE(marker.find("hmac-sha256"), std::string::npos);
    const auto out = dir / "out";
    const auto restored = ctl({"restore", "lab/agents/dqn.pkl", "--to", out.string()});
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_EQ(read_file(out / "dqn.pkl"), k_model);
    const auto verified = ctl({"verify", "--all", "--read-data"});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST_F(DaemonTest, APlainVaultHoldsTheMarkerSoTheSearchWorks) {
    start_daemon();
    write_model("agents/dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/agents/dqn.pkl", 1, 60s));
    EXPECT_FALSE(files_holding(vault, k_marker).empty());
}

TEST_F(EncryptionTest, AWrongMissingOrAbsentKeyStopsTheStartAndChangesNothing) {
    start_daemon();
    write_model("dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
    ASSERT_EQ(stop_daemon(), 0);
    const auto before = snapshot(vault);
    // Another vault's key.
    const auto other = dir / "other.key";
    ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", other.string()}).exit_code, 0);
    auto log = refused_start(other);
    EXPECT_NE(log.find("key file " + other.string() + " opens none of the 1 keys of this vault"),
              std::string::npos)
        << log;
    // A key file that is not there.
    log = refused_start(dir / "gone.key");
    EXPECT_NE(log.find("gone.key does not exist: make one with `modelvaultctl key init"),
              std::string::npos)
        << log;
    // No key at all.
    config.erase("encryption");
    write_file(log_file, "");
    launch_daemon();
    EXPECT_NE(daemon->wait(60s), std::optional<int>(0));
    EXPECT_NE(daemon_log().find("is encrypted and no key was given"), std::string::npos)
        << daemon_log();
    EXPECT_EQ(snapshot(vault), before);
    // The right key opens it again.
    config["encryption"] = {{"key_file", key.string()}};
    start_daemon();
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 1u);
}

TEST_F(EncryptionTest, AKeyFileOthersCanReadIsNamedInAWarning) {
    ::chmod(key.c_str(), 0644);
    start_daemon();
    EXPECT_NE(daemon_log().find("key file " + key.string() +
                                " may be read by users other than "
                                "its owner (mode 0644)"),
              std::string::npos)
        << daemon_log();
}

TEST_F(DaemonTest, AKeyForAPlainVaultIsRefused) {
    start_daemon();
    write_model("dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
    ASSERT_EQ(stop_daemon(), 0);
    const auto key = dir / "late.key";
    ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", key.string()}).exit_code, 0);
    config["encryption"] = {{"key_file", key.string()}};
    write_file(log_file, "");
    launch_daemon();
    EXPECT_NE(daemon->wait(60s), std::optional<int>(0));
    EXPECT_NE(daemon_log().find("is set but the vault " + vault.string() + " is not encrypted"),
              std::string::npos)
        << daemon_log();
}

// Flips one byte in the middle of every pack file.
void damage_packs(const std::filesystem::path& vault) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(vault / "packs")) {
        if (!e.is_regular_file()) {
            continue;
        }
        std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
        const auto middle = static_cast<std::streamoff>(std::filesystem::file_size(e.path()) / 2);
        f.seekg(middle);
        const char byte = static_cast<char>(f.get());
        f.seekp(middle);
        f.put(static_cast<char>(byte ^ 1));
    }
}

TEST_F(EncryptionTest, AFlippedByteIsNamedAndNothingIsRestored) {
    start_daemon();
    write_model("dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
    damage_packs(vault);
    const auto verified = ctl({"verify", "lab/dqn.pkl", "--read-data"});
    EXPECT_EQ(verified.exit_code, 1);
    EXPECT_NE((verified.out + verified.err).find("does not authenticate"), std::string::npos)
        << verified.out << verified.err;
    EXPECT_NE((verified.out + verified.err).find("lab/dqn.pkl"), std::string::npos);
    const auto out = dir / "out";
    const auto restored = ctl({"restore", "lab/dqn.pkl", "--to", out.string()});
    EXPECT_NE(restored.exit_code, 0);
    EXPECT_FALSE(std::filesystem::exists(out / "dqn.pkl"));
}

TEST_F(EncryptionTest, ATamperedManifestIsNamed) {
    start_daemon();
    write_model("dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
    ASSERT_EQ(stop_daemon(), 0);
    // A flipped byte in the sealed manifest.
    const auto file = std::filesystem::directory_iterator(vault / "manifests")->path();
    std::string sealed = read_file(file);
    sealed[sealed.size() / 2] ^= 1;
    std::filesystem::remove(file);
    write_file(file, sealed);
    start_daemon();
    const auto verified = ctl({"verify", "--all"});
    EXPECT_EQ(verified.exit_code, 1);
    EXPECT_NE((verified.out + verified.err).find(file.filename().string()), std::string::npos)
        << verified.out << verified.err;
}

TEST_F(EncryptionTest, ExportWritesPlainArchivesOnlyWithDecrypt) {
    start_daemon();
    write_model("dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
    const auto archive = dir / "dqn.tar.zst";
    const auto refused = ctl({"export", "lab/dqn.pkl", "-o", archive.string()});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.err.find("add --decrypt"), std::string::npos) << refused.err;
    EXPECT_FALSE(std::filesystem::exists(archive));
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        EXPECT_FALSE(e.path().filename().string().starts_with(".modelvault-export")) << e.path();
    }
    const auto exported = ctl({"export", "lab/dqn.pkl", "-o", archive.string(), "--decrypt"});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_NE(exported.out.find("decrypted: the archive is not encrypted"), std::string::npos);
    const auto out = dir / "tar-out";
    std::filesystem::create_directories(out);
    ASSERT_EQ(run({"tar", "--zstd", "-xf", archive.string(), "-C", out.string()}).exit_code, 0);
    EXPECT_EQ(read_file(out / "model/dqn.pkl"), k_model);
}

TEST_F(EncryptionTest, KeysAreAddedAndRemovedWithoutRewritingData) {
    start_daemon();
    write_model("dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
    const auto packs = snapshot(vault / "packs");
    // A second key, added while the daemon runs.
    const auto second = dir / "second.key";
    ASSERT_EQ(ctl({"key", "init", second.string()}).exit_code, 0);
    const auto added =
        ctl({"key", "add", second.string(), "--vault", vault.string(), "--key-file", key.string()});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    const auto listed = ctl_json({"key", "list", "--vault", vault.string()});
    ASSERT_EQ(listed["keys"].size(), 2u) << listed.dump();
    const std::string first_id = listed["keys"][0]["origin"] == key.string()
                                     ? listed["keys"][0]["id"]
                                     : listed["keys"][1]["id"];
    ASSERT_EQ(stop_daemon(), 0);
    // What a crash during another `key add` could leave: a torn temporary file.
    write_file(vault / "keys" / ".0123456789abcdef.json.1.tmp", "{\"format\": \"model");
    // The second key opens the vault; then the first is removed and no longer does.
    config["encryption"] = {{"key_file", second.string()}};
    start_daemon();
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 1u);
    const auto removed = ctl({"key", "remove", first_id.substr(0, 6), "--vault", vault.string(),
                              "--key-file", second.string()});
    ASSERT_EQ(removed.exit_code, 0) << removed.err;
    ASSERT_EQ(stop_daemon(), 0);
    EXPECT_EQ(snapshot(vault / "packs"), packs) << "no data was rewritten";
    const auto log = refused_start(key);
    EXPECT_NE(log.find("opens none of the 1 keys of this vault"), std::string::npos) << log;
    // The last key cannot be removed.
    const auto last = ctl({"key", "remove", first_id.substr(0, 6), "--vault", vault.string(),
                           "--key-file", second.string()});
    EXPECT_NE(last.exit_code, 0);
    // A key that does not open the vault adds nothing.
    EXPECT_NE(
        ctl({"key", "add", key.string(), "--vault", vault.string(), "--key-file", key.string()})
            .exit_code,
        0);

    // Each key operation, done or refused, is in the audit log with its user.
    std::vector<std::string> seen;
    std::istringstream lines(read_file(vault / "state" / "audit.jsonl"));
    for (std::string line; std::getline(lines, line);) {
        const auto record = nlohmann::json::parse(line);
        if (record["command"].get<std::string>().starts_with("key ")) {
            EXPECT_EQ(record["via"], "ctl") << line;
            EXPECT_EQ(record["user"], "root") << line;
            seen.push_back(record["command"].get<std::string>() + " " +
                           record["result"].get<std::string>());
        }
    }
    EXPECT_THAT(seen, ::testing::ElementsAre("key add ok", "key remove ok", "key remove failed",
                                             "key add denied"));
}

TEST_F(EncryptionTest, ASigkillDuringKeyAddLeavesAVaultThatOpensWithTheOldKey) {
    start_daemon();
    write_model("dqn.pkl", k_model);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1, 60s));
    ASSERT_EQ(stop_daemon(), 0);
    // A passphrase: scrypt makes `key add` last long enough to be killed in the middle.
    const auto passphrase = dir / "passphrase";
    write_file(passphrase, "correct horse battery staple\n");
    std::filesystem::permissions(passphrase, std::filesystem::perms::owner_read);
    bool done = false;
    for (int delay_ms = 8; !done && delay_ms < 60000; delay_ms *= 4) {
        Child adding({binary("modelvaultctl"), "key", "add", passphrase.string(), "--vault",
                      vault.string(), "--key-file", key.string()});
        done = adding.wait(std::chrono::milliseconds(delay_ms)).has_value();
        if (!done) {
            adding.signal(SIGKILL);
            adding.wait(30s);
        }
        // Every record reads (a torn temporary file is no record).
        const auto listed = ctl({"key", "list", "--vault", vault.string()});
        EXPECT_EQ(listed.exit_code, 0) << delay_ms << " ms: " << listed.out << listed.err;
    }
    ASSERT_TRUE(done);
    // What every kill left is still there: the old key opens the vault, and so does the
    // added one.
    start_daemon();
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 1u);
    ASSERT_EQ(stop_daemon(), 0);
    config["encryption"] = {{"key_file", passphrase.string()}};
    start_daemon();
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 1u);
}

} // namespace
} // namespace mv::test
