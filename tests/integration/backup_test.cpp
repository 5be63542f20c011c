// Versions appear when files settle, change, or are asked for — and only then.
#include <csignal>
#include <fstream>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
const std::string k_backup_pickle = pickle("weights-v1");

TEST_F(DaemonTest, SettledFileBecomesVersion100) {
    start_daemon();
    write_model("agents/dqn.pkl", k_backup_pickle);
    ASSERT_TRUE(wait_for_versions("lab/agents/dqn.pkl", 1));
    const auto v = versions("lab/agents/dqn.pkl");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0]["version"], "1.0.0");
    EXPECT_EQ(v[0]["trigger"], "change");
    EXPECT_EQ(v[0]["sequence"], 1);
}

TEST_F(DaemonTest, ChangedBytesBecome101AndIdenticalBytesMakeNothing) {
    start_daemon();
    write_model("dqn.pkl", k_backup_pickle);
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    // New bytes: a patch version.
    write_model("dqn.pkl", pickle("weights-v2"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    EXPECT_EQ(versions("lab/dqn.pkl")[0]["version"], "1.0.1");
    // The same bytes written again (a trainer re-saving): the daemon reads them, finds
    // them identical to 1.0.1 and makes no version.
    write_model("dqn.pkl", pickle("weights-v2"));
    ASSERT_TRUE(wait_until(
        [&] { return daemon_log().find("unchanged (same as 1.0.1)") != std::string::npos; }));
    // Going back to the first content is identical to 1.0.0: still no version.
    write_model("dqn.pkl", k_backup_pickle);
    ASSERT_TRUE(wait_until(
        [&] { return daemon_log().find("unchanged (same as 1.0.0)") != std::string::npos; }));
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 2u);
}

TEST_F(DaemonTest, ManualBackupWaitsAndPrintsTheVersion) {
    write_model("m.pkl", k_backup_pickle);
    config["watches"][0]["triggers"] = {{"on_change", false}};
    start_daemon();
    // on_change off: a settled file makes no version by itself ...
    std::this_thread::sleep_for(800ms);
    EXPECT_TRUE(versions().empty());
    // ... until someone asks.
    auto out = ctl({"backup", "lab/m.pkl", "--tag", "baseline", "--note", "first try"});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(out.out, "lab/m.pkl 1.0.0 (initial, 14 B)\n");
    out = ctl({"backup", "lab/m.pkl"});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    EXPECT_EQ(out.out, "lab/m.pkl unchanged, same as 1.0.0\n");
    // A tag given for content already stored labels the version that holds it.
    out = ctl({"backup", "lab/m.pkl", "--tag", "reviewed"});
    EXPECT_EQ(out.out, "lab/m.pkl unchanged, same as 1.0.0 (tagged reviewed)\n");
    write_model("m.pkl", pickle("weights-v1!"));
    out = ctl({"backup", "lab/m.pkl", "--bump", "major"});
    EXPECT_EQ(out.out, "lab/m.pkl 2.0.0 (major, 15 B)\n");
    const auto show = ctl_json({"show", "lab/m.pkl@1.0.0"});
    EXPECT_EQ(show["trigger"], "manual");
    EXPECT_EQ(show["tags"], nlohmann::json::array({"baseline", "reviewed"}));
    EXPECT_EQ(show["note"], "first try");
    // Unknown models and bad bumps are refused up front.
    EXPECT_EQ(ctl({"backup", "lab/absent.pkl"}).exit_code, 1);
    EXPECT_EQ(ctl({"backup", "lab/m.pkl", "--bump", "huge"}).exit_code, 2);
}

TEST_F(DaemonTest, StartupScanBacksUpWhatChangedWhileStopped) {
    start_daemon();
    write_model("a.pkl", k_backup_pickle);
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 1));
    EXPECT_EQ(stop_daemon(), 0);
    // While the daemon is down: one file changes, one appears, one stays as it was.
    write_model("a.pkl", pickle("weights-changed"));
    write_model("sub/b.pkl", k_backup_pickle);
    start_daemon();
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 2));
    ASSERT_TRUE(wait_for_versions("lab/sub/b.pkl", 1));
    EXPECT_EQ(versions("lab/a.pkl")[0]["reason"], "changed while modelvaultd was not running");
    // A restart with nothing changed makes nothing.
    EXPECT_EQ(stop_daemon(), 0);
    start_daemon();
    std::this_thread::sleep_for(700ms);
    EXPECT_EQ(versions().size(), 3u);
}

TEST_F(DaemonTest, NewSubdirectoriesAreFollowedAndFiltersApply) {
    start_daemon();
    write_model("runs/2026/11/22/ppo.pt", "PK\x03\x04 pretend zip");
    write_model("runs/notes.txt", "not a model");
    write_model("runs/tmp_ckpt.pkl", k_backup_pickle);
    write_model(".cache/hidden.pkl", k_backup_pickle);
    ASSERT_TRUE(wait_for_versions("lab/runs/2026/11/22/ppo.pt", 1));
    std::this_thread::sleep_for(600ms);
    const auto all = versions();
    ASSERT_EQ(all.size(), 1u) << all.dump(2);
}

TEST_F(DaemonTest, MissingWatchPathIsShownAndPickedUpWhenItAppears) {
    config["watches"][0]["path"] = (dir / "later").string();
    start_daemon();
    const auto status = ctl_json({"status"});
    EXPECT_EQ(status["watches"][0]["state"], "missing");
    std::filesystem::create_directories(dir / "later/x");
    write_file(dir / "later/x/model.pkl", k_backup_pickle);
    ASSERT_TRUE(wait_for_versions("lab/x/model.pkl", 1));
    EXPECT_EQ(ctl_json({"status"})["watches"][0]["state"], "watching");
}

TEST_F(DaemonTest, ReloadAppliesAValidConfigAndRejectsABadOne) {
    start_daemon();
    std::filesystem::create_directories(dir / "second");
    config["watches"].push_back(
        {{"name", "two"}, {"path", (dir / "second").string()}, {"settle", "200ms"}});
    std::ofstream(config_file) << config.dump(2);
    auto out = ctl({"reload"});
    ASSERT_EQ(out.exit_code, 0) << out.err;
    write_file(dir / "second/b.pkl", k_backup_pickle);
    ASSERT_TRUE(wait_for_versions("two/b.pkl", 1));
    // A broken file is rejected with its problems; the running config stays.
    std::ofstream(config_file) << R"({"vault": 5, "watches": [{"name": "x"}]})";
    out = ctl({"reload"});
    EXPECT_EQ(out.exit_code, 1); // the command was right, the file is not (2 = usage error)
    EXPECT_NE(out.err.find("vault"), std::string::npos) << out.err;
    EXPECT_NE(out.err.find("watches[0].path"), std::string::npos) << out.err;
    // The daemon's log has every problem too, whichever way the reload came (the journal
    // is where an admin looks, docs/SERVICE.md).
    const auto rejections = [&] {
        const std::string log = daemon_log();
        std::size_t count = 0;
        for (auto at = log.find("reload rejected"); at != std::string::npos;
             at = log.find("reload rejected", at + 1)) {
            ++count;
        }
        return count;
    };
    ASSERT_TRUE(wait_until([&] { return rejections() == 1; })) << daemon_log();
    EXPECT_NE(daemon_log().find("reload: watches[0].path"), std::string::npos) << daemon_log();
    write_model("still.pkl", k_backup_pickle);
    ASSERT_TRUE(wait_for_versions("lab/still.pkl", 1));
    // SIGHUP does the same as `reload` and the daemon keeps running.
    daemon->signal(SIGHUP);
    ASSERT_TRUE(wait_until([&] { return rejections() == 2; })) << daemon_log();
    EXPECT_TRUE(daemon_running());
}

} // namespace
} // namespace mv::test
