// Hooks through the real daemon (docs/NOTIFICATIONS.md, "Hooks"): each event runs its
// argv without a shell, with placeholders and MODELVAULT_* variables, never as root when
// the daemon is root by default, and a hanging hook is killed while backups go on.
#include <csignal>
#include <fstream>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string k_hook_pickle = pickle("weights-hooks");

// What one run of the recording hook saw: its uid, its arguments and its MODELVAULT_*
// variables.
struct Recorded {
    std::string uid;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
};

class HooksTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        // A root daemon runs hooks as `nobody`: it must reach the scripts and write `out`.
        fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read |
                                        fs::perms::group_exec | fs::perms::others_read |
                                        fs::perms::others_exec);
        fs::create_directories(out);
        fs::permissions(out, fs::perms::all);
        // Writes what it saw into out/<hook>.<pid> (renamed into place: read whole or not).
        write_script(recorder, "f=" + out.string() +
                                   "/$MODELVAULT_HOOK.$$\n"
                                   "{ echo \"uid=$(id -u)\"; for a in \"$@\"; do echo "
                                   "\"arg=$a\"; done; env | grep '^MODELVAULT_' | sort; } "
                                   ">\"$f.tmp\" && mv \"$f.tmp\" \"$f\"\n");
    }

    static void write_script(const fs::path& path, const std::string& body) {
        write_file(path, "#!/bin/sh\n" + body);
        fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
    }

    // The runs of `hook` recorded so far.
    std::vector<Recorded> recorded(const std::string& hook) const {
        std::vector<Recorded> runs;
        for (const auto& entry : fs::directory_iterator(out)) {
            const std::string name = entry.path().filename().string();
            if (!name.starts_with(hook + ".") || name.ends_with(".tmp")) {
                continue;
            }
            Recorded run;
            std::istringstream lines(read_file(entry.path()));
            for (std::string line; std::getline(lines, line);) {
                if (line.starts_with("uid=")) {
                    run.uid = line.substr(4);
                } else if (line.starts_with("arg=")) {
                    run.args.push_back(line.substr(4));
                } else if (const auto eq = line.find('='); eq != std::string::npos) {
                    run.env[line.substr(0, eq)] = line.substr(eq + 1);
                }
            }
            runs.push_back(std::move(run));
        }
        return runs;
    }

    std::vector<Recorded> wait_for_runs(const std::string& hook, std::size_t count) const {
        std::vector<Recorded> runs;
        wait_until(
            [&] {
                runs = recorded(hook);
                return runs.size() >= count;
            },
            30s);
        return runs;
    }

    // Hooks of a root daemon run as nobody; of another user, as that user.
    static std::string expected_uid() {
        if (::geteuid() != 0) {
            return std::to_string(::geteuid());
        }
        const struct passwd* nobody = ::getpwnam("nobody");
        return nobody != nullptr ? std::to_string(nobody->pw_uid) : "?";
    }

    fs::path out = dir / "out";
    fs::path recorder = dir / "record.sh";
};

TEST_F(HooksTest, OnBackupGetsPlaceholdersAndEnvironmentWithoutAShell) {
    config["hooks"]["on_backup"] = {recorder.string(), "{model}", "{version}", "{trigger}",
                                    "$(touch /x); a b {{literal}}"};
    start_daemon();
    write_model("agents/dqn.pkl", k_hook_pickle);
    ASSERT_TRUE(wait_for_versions("lab/agents/dqn.pkl", 1));
    const auto runs = wait_for_runs("on_backup", 1);
    ASSERT_EQ(runs.size(), 1u) << daemon_log();
    const Recorded& run = runs[0];
    EXPECT_EQ(run.uid, expected_uid());
    EXPECT_EQ(run.args, (std::vector<std::string>{"lab/agents/dqn.pkl", "1.0.0", "change",
                                                  "$(touch /x); a b {literal}"}));
    EXPECT_EQ(run.env.at("MODELVAULT_HOOK"), "on_backup");
    EXPECT_EQ(run.env.at("MODELVAULT_EVENT"), "backup_created");
    EXPECT_EQ(run.env.at("MODELVAULT_MODEL"), "lab/agents/dqn.pkl");
    EXPECT_EQ(run.env.at("MODELVAULT_VERSION"), "1.0.0");
    EXPECT_EQ(run.env.at("MODELVAULT_TRIGGER"), "change");
    EXPECT_EQ(run.env.at("MODELVAULT_WATCH"), "lab");
    EXPECT_EQ(run.env.at("MODELVAULT_PATH"), (models / "agents/dqn.pkl").string());
    EXPECT_EQ(run.env.at("MODELVAULT_SIZE_BYTES"), std::to_string(k_hook_pickle.size()));
    EXPECT_FALSE(fs::exists("/x"));
    // Its end is logged.
    EXPECT_TRUE(wait_until([&] {
        return daemon_log().find("hook on_backup (backup_created) for lab/agents/dqn.pkl 1.0.0: " +
                                 recorder.string() + " exited 0") != std::string::npos;
    }));
}

TEST_F(HooksTest, FailureRestoreAndPruneHooksAndAWatchsOwnHook) {
    config["hooks"]["on_failure"] = {recorder.string(), "{model}", "{reason}", "{error}"};
    config["hooks"]["on_restore"] = {recorder.string(), "{version}", "{user}", "{path}"};
    config["hooks"]["on_prune"] = {recorder.string(), "{model}", "{removed}"};
    config["hooks"]["on_backup"] = {recorder.string(), "global"};
    // The watch's own on_backup replaces the global one; an empty one turns it off.
    config["watches"][0]["hooks"]["on_backup"] = nlohmann::json::array();
    config["watches"][0]["retention"] = {{"keep_last", 1}};
    config["watches"][0]["triggers"] = {{"on_change", false}};
    write_model("dqn.pkl", k_hook_pickle);
    start_daemon();
    // A backup that fails.
    make_writes_fail("dqn.pkl");
    EXPECT_EQ(ctl({"backup", "lab/dqn.pkl"}).exit_code, 1);
    writes_succeed_again("dqn.pkl");
    auto runs = wait_for_runs("on_failure", 1);
    ASSERT_EQ(runs.size(), 1u) << daemon_log();
    ASSERT_EQ(runs[0].args.size(), 3u);
    EXPECT_EQ(runs[0].args[0], "lab/dqn.pkl");
    EXPECT_EQ(runs[0].args[1], "io");
    EXPECT_FALSE(runs[0].args[2].empty());
    EXPECT_EQ(runs[0].env.at("MODELVAULT_EVENT"), "backup_failed");
    // A version restored by this user.
    EXPECT_EQ(ctl({"backup", "lab/dqn.pkl"}).exit_code, 0);
    const auto restored = ctl({"restore", "lab/dqn.pkl@1.0.0", "--to", (dir / "r").string()});
    EXPECT_EQ(restored.exit_code, 0) << restored.err;
    runs = wait_for_runs("on_restore", 1);
    ASSERT_EQ(runs.size(), 1u) << daemon_log();
    const struct passwd* me = ::getpwuid(::geteuid());
    ASSERT_NE(me, nullptr);
    EXPECT_EQ(runs[0].args, (std::vector<std::string>{"1.0.0", me->pw_name, (dir / "r").string()}));
    // A second version: retention (keep_last 1) removes the first.
    write_model("dqn.pkl", pickle("weights-hooks-2"));
    EXPECT_EQ(ctl({"backup", "lab/dqn.pkl"}).exit_code, 0);
    runs = wait_for_runs("on_prune", 1);
    ASSERT_EQ(runs.size(), 1u) << daemon_log();
    EXPECT_EQ(runs[0].args, (std::vector<std::string>{"lab/dqn.pkl", "1.0.0"}));
    // The watch turned on_backup off: the two versions ran no hook.
    EXPECT_TRUE(recorded("on_backup").empty());
}

// Whether `pid` still runs (a zombie nobody reaped has ended).
bool alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
        return false;
    }
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

TEST_F(HooksTest, HangingHookIsKilledAtItsTimeoutWhileBackupsGoOn) {
    // The hook and a child it leaves behind both hang; their pids go to out/.
    const fs::path hang = dir / "hang.sh";
    write_script(hang, "echo $$ >" + out.string() + "/hook.$$\nsleep 600 &\necho $! >" +
                           out.string() + "/child.$$\nwait\n");
    config["hooks"]["on_backup"] = {hang.string(), "{model}"};
    config["hooks"]["timeout"] = "2s";
    start_daemon();
    for (int i = 0; i < 3; ++i) {
        write_model("m" + std::to_string(i) + ".pkl", pickle("weights-" + std::to_string(i)));
    }
    // All three versions are made although every hook hangs.
    ASSERT_TRUE(wait_until([&] { return versions().size() >= 3; }, 30s)) << daemon_log();
    // Each hook is killed at its timeout, with what it left running.
    ASSERT_TRUE(wait_until(
        [&] {
            const std::string log = daemon_log();
            std::size_t count = 0;
            for (auto at = log.find("ran longer than hooks.timeout (2.0 s)");
                 at != std::string::npos;
                 at = log.find("ran longer than hooks.timeout (2.0 s)", at + 1)) {
                ++count;
            }
            return count == 3;
        },
        60s))
        << daemon_log();
    std::vector<pid_t> pids;
    for (const auto& entry : fs::directory_iterator(out)) {
        pids.push_back(std::stoi(read_file(entry.path())));
    }
    EXPECT_EQ(pids.size(), 6u);
    EXPECT_TRUE(wait_until([&] {
        return std::none_of(pids.begin(), pids.end(), [](pid_t pid) { return alive(pid); });
    }));
    EXPECT_EQ(ctl({"status"}).exit_code, 0);
    EXPECT_EQ(stop_daemon(), 0);
}

} // namespace
} // namespace mv::test
