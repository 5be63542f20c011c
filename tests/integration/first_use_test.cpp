// What a new user and an admin hit first (issue 11): answers that say what happened
// instead of silently doing something else — orphan imports, times read from names,
// unknown models, empty folders, metric columns, diffs of two models, a second daemon,
// config errors at start.
#include <fstream>
#include <set>
#include <sys/stat.h>

#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// An empty zip (its end record alone) with a one-byte comment: a complete, distinct file.
std::string empty_zip(char comment) {
    return std::string("PK\x05\x06", 4) + std::string(16, '\0') + std::string("\x01\x00", 2) +
           comment;
}

TEST_F(DaemonTest, ImportIntoAModelNoWatchCoversNeedsNewModel) {
    start_daemon();
    write_file(dir / "old.pkl", pickle("old weights"));
    // A typo of the watch: refused, naming the watches there are.
    auto out = ctl({"import", (dir / "old.pkl").string(), "--model", "pacmna/dqn.pkl"});
    EXPECT_EQ(out.exit_code, 1) << out.err;
    EXPECT_THAT(out.err, HasSubstr("no watch named pacmna in the configuration (the watches are: "
                                   "lab)"));
    EXPECT_THAT(out.err, HasSubstr("--new-model"));
    // A file the watch does not have: refused too.
    out = ctl({"import", (dir / "old.pkl").string(), "--model", "lab/dqm.pkl"});
    EXPECT_EQ(out.exit_code, 1) << out.err;
    EXPECT_THAT(out.err, HasSubstr("watch lab has no such model (no model file at " +
                                   (models / "dqm.pkl").string() + ")"));
    EXPECT_TRUE(ctl_json({"list"})["versions"].empty());
    // A model the watch sees needs nothing, and --new-model creates any other.
    write_model("dqn.pkl", pickle("current weights"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    EXPECT_EQ(ctl({"import", (dir / "old.pkl").string(), "--model", "lab/dqn.pkl"}).exit_code, 0);
    out = ctl({"import", (dir / "old.pkl").string(), "--model", "archive/dqn.pkl", "--new-model"});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(versions("archive/dqn.pkl").size(), 1u);
}

TEST_F(DaemonTest, ImportReadsTheTimeFromTheNameAsLocalTime) {
    daemon_env["TZ"] = "Europe/Berlin";
    start_daemon();
    write_model("dqn.zip", empty_zip('0'));
    ASSERT_TRUE(wait_for_versions("lab/dqn.zip", 1));
    const auto runs = dir / "runs";
    write_file(runs / "pacman_run_047_20260103_1632_DQN_pacman.zip", empty_zip('a'));
    write_file(runs / "pacman_run_048_2026-07-04T09-05-30_DQN.zip", empty_zip('b'));
    CommandOptions options;
    options.env = {{"TZ", "Europe/Berlin"}};
    const auto out = run({binary("modelvaultctl"), "--socket", socket.string(), "import",
                          (runs / "pacman_run_047_20260103_1632_DQN_pacman.zip").string(),
                          (runs / "pacman_run_048_2026-07-04T09-05-30_DQN.zip").string(), "--model",
                          "lab/dqn.zip", "--time-from-name"},
                         options);
    ASSERT_EQ(out.exit_code, 0) << out.err;
    // 16:32 in Berlin in winter is 15:32 UTC; 09:05:30 in summer is 07:05:30 UTC.
    const auto all = versions("lab/dqn.zip");
    std::set<std::string> created;
    for (const auto& v : all) {
        created.insert(v["created"].get<std::string>());
    }
    EXPECT_TRUE(created.count("2026-01-03T15:32:00Z")) << all.dump(2);
    EXPECT_TRUE(created.count("2026-07-04T07:05:30Z")) << all.dump(2);

    // No date, or two: refused before anything is sent, with what to do.
    write_file(runs / "final.zip", empty_zip('c'));
    auto refused = ctl(
        {"import", (runs / "final.zip").string(), "--model", "lab/dqn.zip", "--time-from-name"});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_THAT(refused.err, HasSubstr("no date in the name \"final.zip\""));
    EXPECT_THAT(refused.err, HasSubstr("--time"));
    write_file(runs / "run_20260103_from_20251231.zip", empty_zip('d'));
    refused = ctl({"import", (runs / "run_20260103_from_20251231.zip").string(), "--model",
                   "lab/dqn.zip", "--time-from-name"});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_THAT(refused.err, HasSubstr("holds 2 dates (\"20260103\", \"20251231\")"));
    EXPECT_EQ(versions("lab/dqn.zip").size(), 3u);
}

TEST_F(DaemonTest, HistoryOfAModelTheVaultNeverHeldIsNotFound) {
    start_daemon();
    write_model("dqn.pkl", pickle("w"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    const auto out = ctl({"history", "lab/dqm.pkl"});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_THAT(out.err, HasSubstr("no model lab/dqm.pkl in the vault"));
    EXPECT_EQ(ctl_json({"history", "lab/dqm.pkl"})["error"]["code"], "not_found");
    EXPECT_EQ(ctl({"history", "lab/dqn.pkl"}).exit_code, 0);
}

TEST_F(DaemonTest, BackupAllSaysAnEmptyFolderIsEmpty) {
    std::filesystem::create_directories(dir / "hf");
    config["watches"].push_back({{"name", "hf"},
                                 {"path", (dir / "hf").string()},
                                 {"layout", "directory"},
                                 {"settle", "200ms"}});
    start_daemon();
    const auto out = ctl_json({"backup", "--all"});
    ASSERT_EQ(out["results"].size(), 1u) << out.dump(2);
    EXPECT_EQ(out["results"][0]["status"], "skipped");
    const std::string message = out["results"][0]["message"];
    EXPECT_THAT(message, HasSubstr((dir / "hf").string() + " holds no file to back up"));
    EXPECT_THAT(message, Not(HasSubstr("no longer exists")));
}

TEST_F(DaemonTest, ListShowsTheMetricsItFiltersAndSortsBy) {
    config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/eval/win_rate"}}}};
    start_daemon();
    const std::pair<double, int> saves[] = {{0.4, 1000}, {0.7, 2000}};
    for (std::size_t i = 0; i < 2; ++i) {
        write_model(
            "dqn.metrics.json",
            json{{"eval", {{"win_rate", saves[i].first}}}, {"episode", saves[i].second}}.dump());
        write_model("dqn.pkl", pickle("weights " + std::to_string(i)));
        ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", i + 1));
    }
    const auto out = ctl({"list", "--where", "episode>=1000", "--sort", "win_rate"});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    EXPECT_THAT(out.out, ::testing::ContainsRegex("SIZE +EPISODE +WIN_RATE +TAGS"));
    EXPECT_THAT(out.out, ::testing::ContainsRegex("1\\.1\\.0 .* 2000 +0\\.7 +best"));
    EXPECT_THAT(out.out, ::testing::ContainsRegex("1\\.0\\.0 .* 1000 +0\\.4 "));
    // Without --where or --sort the table is as before.
    EXPECT_THAT(ctl({"list"}).out, ::testing::ContainsRegex("SIZE +TAGS"));
}

TEST_F(DaemonTest, DiffOfTwoModelsSaysSoAndComparesTheirModelFiles) {
    start_daemon();
    const std::string weights = random_bytes(3u << 20, 5);
    write_model("dqn.pkl", pickle(weights));
    write_model("ppo.pkl", pickle(weights.substr(0, (2u << 20)) + random_bytes(1u << 20, 6)));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    ASSERT_TRUE(wait_for_versions("lab/ppo.pkl", 1));
    const auto human = ctl({"diff", "lab/dqn.pkl@1.0.0", "lab/ppo.pkl@1.0.0"});
    ASSERT_EQ(human.exit_code, 0) << human.err;
    EXPECT_THAT(human.out, HasSubstr("two different models: their model files are compared"));
    EXPECT_THAT(human.out, HasSubstr("model/dqn.pkl → model/ppo.pkl"));
    EXPECT_THAT(human.out, Not(HasSubstr("removed")));
    const auto diff = ctl_json({"diff", "lab/dqn.pkl@1.0.0", "lab/ppo.pkl@1.0.0"});
    EXPECT_TRUE(diff["different_models"].get<bool>());
    ASSERT_EQ(diff["files"].size(), 1u) << diff.dump(2);
    EXPECT_EQ(diff["files"][0]["status"], "changed");
    EXPECT_GT(diff["files"][0]["identical_blocks"].get<double>(), 0.4);
}

TEST_F(DaemonTest, ASecondDaemonOnASocketInUseCreatesNothing) {
    start_daemon();
    // The same socket, another vault: refused before the vault folder is made.
    const auto other_vault = dir / "other-vault";
    json second = config;
    second["vault"] = other_vault.string();
    std::ofstream(dir / "second.json") << second.dump();
    const auto out = run({binary("modelvaultd"), "--config", (dir / "second.json").string()}, {});
    EXPECT_EQ(out.exit_code, 1);
    EXPECT_THAT(out.err,
                HasSubstr("another modelvaultd is already listening on " + socket.string()));
    EXPECT_FALSE(std::filesystem::exists(other_vault));
    EXPECT_EQ(ctl({"status"}).exit_code, 0) << "the first daemon still serves";
}

TEST_F(DaemonTest, AnInvalidConfigAtStartIsLoggedAtErrorPriorityUnderTheJournal) {
    // Under systemd stderr is the journal stream (JOURNAL_STREAM names it): each line of
    // the refusal carries <3>, so `journalctl -p warning` shows why the service failed.
    write_file(log_file, "");
    struct stat st {};
    ASSERT_EQ(::stat(log_file.c_str(), &st), 0);
    daemon_env["JOURNAL_STREAM"] = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    config["log_level"] = "verbose";
    config["encryption"] = {{"key_file", ""}};
    launch_daemon();
    ASSERT_EQ(daemon->wait(30s), std::optional<int>(78));
    const auto log = daemon_log();
    EXPECT_THAT(log, HasSubstr("<3>" + config_file.string() +
                               ": invalid configuration (2 "
                               "problems):\n"));
    EXPECT_THAT(log, HasSubstr("<3>  encryption.key_file: expected a path"));
    EXPECT_THAT(log, HasSubstr("<3>  log_level: expected one of"));
    // In a terminal the same lines have no prefix.
    const auto plain = run({binary("modelvaultd"), "--check-config", config_file.string()}, {});
    EXPECT_EQ(plain.exit_code, 78);
    EXPECT_THAT(plain.err, ::testing::StartsWith(config_file.string() + ": invalid"));
}

} // namespace
} // namespace mv::test
