// The sd_notify conversation (docs/SERVICE.md), read from a real NOTIFY_SOCKET
// datagram socket: READY=1 once the vault is open, the socket served and the start-up
// scan done; STATUS= summaries; WATCHDOG=1 at half of WATCHDOG_USEC; RELOADING=1 then
// READY=1 around a reload; STOPPING=1 on SIGTERM.
#include <csignal>
#include <ctime>
#include <fstream>

#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/integration/notify_socket.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using std::chrono::steady_clock;

std::uint64_t monotonic_usec() {
    struct timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000U +
           static_cast<std::uint64_t>(now.tv_nsec) / 1000U;
}

std::size_t count(const nlohmann::json& value) {
    return value.is_array() ? value.size() : value.get<std::size_t>();
}

class NotifyTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        daemon_env["NOTIFY_SOCKET"] = notify.path().string();
    }

    /// The newest STATUS= text received so far ("" when none).
    std::string last_status() const {
        std::string status;
        for (const auto& message : notify.history()) {
            status = message.value("STATUS").value_or(status);
        }
        return status;
    }

    /// Receives until a STATUS= line contains `text`.
    bool wait_for_status(const std::string& text, std::chrono::milliseconds timeout) {
        const auto deadline = steady_clock::now() + timeout;
        while (last_status().find(text) == std::string::npos) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - steady_clock::now());
            if (left.count() <= 0 || !notify.receive(left)) {
                return false;
            }
        }
        return true;
    }

    NotifySocket notify{dir / "notify.sock"};
};

TEST_F(NotifyTest, ReadyComesOnceTheVaultIsOpenTheSocketServedAndTheStartupScanDone) {
    // A model saved while the daemon was not running.
    write_model("dqn.pkl", pickle("saved-before-start"));
    launch_daemon();
    ASSERT_TRUE(notify.wait_for("READY=1", 30s)) << daemon_log();

    // At READY=1 the vault exists and the socket answers on the first try ...
    EXPECT_TRUE(std::filesystem::is_directory(vault));
    const auto status = ctl_json({"status"});
    ASSERT_TRUE(status.contains("queue")) << status.dump(2);
    // ... and the start-up scan has found the model: queued, being written, or done.
    const std::size_t seen = count(status["queue"]["queued"]) + count(status["queue"]["running"]) +
                             status["vault"]["versions"].get<std::size_t>();
    EXPECT_GE(seen, 1u) << status.dump(2);

    // A one-line summary follows READY=1.
    ASSERT_TRUE(wait_for_status("watching", 5s));
    EXPECT_THAT(last_status(),
                ::testing::MatchesRegex("watching 1 folder\\(s\\), [0-9]+ model\\(s\\), .*"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    // Without WATCHDOG_USEC the daemon never pings.
    for (const auto& message : notify.history()) {
        EXPECT_FALSE(message.has("WATCHDOG=1"));
    }
}

TEST_F(NotifyTest, WatchdogPingsComeAtHalfTheIntervalAndRefreshTheStatus) {
    daemon_env["WATCHDOG_USEC"] = "1000000";
    launch_daemon();
    ASSERT_TRUE(notify.wait_for("READY=1", 30s)) << daemon_log();

    // Three seconds of pings: one every 500 ms, never as late as the 1 s interval.
    std::vector<steady_clock::time_point> pings;
    const auto until = steady_clock::now() + 3s;
    for (auto now = steady_clock::now(); now < until; now = steady_clock::now()) {
        const auto message =
            notify.receive(std::chrono::duration_cast<std::chrono::milliseconds>(until - now));
        if (message && message->has("WATCHDOG=1")) {
            pings.push_back(message->at);
        }
    }
    EXPECT_GE(pings.size(), 5u);
    EXPECT_LE(pings.size(), 7u);
    for (std::size_t i = 1; i < pings.size(); ++i) {
        const auto gap = pings[i] - pings[i - 1];
        EXPECT_GE(gap, 350ms) << "ping " << i;
        EXPECT_LT(gap, 1000ms) << "ping " << i;
    }

    // Each ping also refreshes STATUS=, so a new version shows up in it.
    write_model("dqn.pkl", pickle("weights"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    EXPECT_TRUE(wait_for_status("last backup lab/dqn.pkl 1.0.0", 5s)) << last_status();
    EXPECT_THAT(last_status(), ::testing::HasSubstr("watching 1 folder(s), 1 model(s)"));
}

TEST_F(NotifyTest, StatusShowsANewVersionAtOnceAndTheLastBackupAfterARestart) {
    // No watchdog: only a backup can refresh STATUS= here.
    launch_daemon();
    ASSERT_TRUE(notify.wait_for("READY=1", 30s)) << daemon_log();
    write_model("dqn.pkl", pickle("weights"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    EXPECT_TRUE(wait_for_status("last backup lab/dqn.pkl 1.0.0", 10s)) << last_status();

    // After a restart the last backup is read back from the vault, in STATUS= and status.
    EXPECT_EQ(stop_daemon(), 0);
    launch_daemon();
    ASSERT_TRUE(notify.wait_for("READY=1", 30s)) << daemon_log();
    const auto first = notify.wait_for("STATUS=", 5s);
    ASSERT_TRUE(first);
    EXPECT_THAT(first->value("STATUS").value_or(""),
                ::testing::HasSubstr("last backup lab/dqn.pkl 1.0.0"));
    const auto watch = ctl_json({"status"})["watches"][0];
    ASSERT_TRUE(watch["last_backup"].is_object()) << watch.dump(2);
    EXPECT_EQ(watch["last_backup"]["version"], "1.0.0");
}

TEST_F(NotifyTest, ReloadIsBracketedByReloadingAndReadyAndSigtermSaysStopping) {
    launch_daemon();
    ASSERT_TRUE(notify.wait_for("READY=1", 30s)) << daemon_log();

    // SIGHUP with a second watch: RELOADING=1 stamped with CLOCK_MONOTONIC, then READY=1.
    std::filesystem::create_directories(dir / "second");
    config["watches"].push_back(
        {{"name", "two"}, {"path", (dir / "second").string()}, {"settle", "200ms"}});
    std::ofstream(config_file) << config.dump(2);
    const auto before = monotonic_usec();
    daemon->signal(SIGHUP);
    const auto reloading = notify.wait_for("RELOADING=1", 10s);
    const auto after = monotonic_usec();
    ASSERT_TRUE(reloading) << daemon_log();
    const auto stamp = reloading->value("MONOTONIC_USEC");
    ASSERT_TRUE(stamp) << "RELOADING=1 without MONOTONIC_USEC";
    EXPECT_GE(std::stoull(*stamp), before);
    EXPECT_LE(std::stoull(*stamp), after);
    ASSERT_TRUE(notify.wait_for("READY=1", 10s));
    EXPECT_THAT(last_status(), ::testing::HasSubstr("watching 2 folder(s)"));

    // `modelvaultctl reload` of a broken file: rejected, yet READY=1 again, still running.
    std::ofstream(config_file) << R"({"watches": [{"name": "x"}]})";
    const auto rejected = ctl({"reload"});
    // The command was right, the file is not: exit 1 (2 is a usage error), and status
    // shows why until something else goes wrong.
    EXPECT_EQ(rejected.exit_code, 1);
    EXPECT_THAT(rejected.err, ::testing::HasSubstr("watches[0].path"));
    const auto last_error = ctl_json({"status"})["last_error"];
    ASSERT_TRUE(last_error.is_object()) << last_error.dump();
    EXPECT_THAT(last_error["message"].get<std::string>(),
                ::testing::HasSubstr("rejected, the running configuration stays in effect: "
                                     "watches[0].path: required"));
    ASSERT_TRUE(notify.wait_for("RELOADING=1", 10s));
    ASSERT_TRUE(notify.wait_for("READY=1", 10s));
    EXPECT_TRUE(daemon_running());
    EXPECT_EQ(ctl_json({"status"})["watches"].size(), 2u);

    // SIGTERM: STOPPING=1, then a clean exit.
    daemon->signal(SIGTERM);
    ASSERT_TRUE(notify.wait_for("STOPPING=1", 10s));
    EXPECT_EQ(daemon->wait(30s), std::optional<int>(0));
}

} // namespace
} // namespace mv::test
