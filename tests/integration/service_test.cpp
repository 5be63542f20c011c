// modelvaultd as systemd runs it: socket activation through systemd-socket-activate,
// log lines for the journal, a reload in the middle of work (docs/SERVICE.md).
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/integration/notify_socket.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

// A socket file as a crashed daemon leaves it: bound, then closed without unlink.
void leave_stale_socket(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    struct sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    EXPECT_EQ(::bind(fd, reinterpret_cast<struct sockaddr*>(&address), sizeof address), 0);
    ::close(fd);
}

// POSIX extended regular expressions (gtest's matchers; std::regex trips GCC 12's
// maybe-uninitialized warning in sanitizer builds).
const std::string k_date_time = "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}";
const std::string k_timestamp = "^" + k_date_time + "\\.[0-9]{3} ";

TEST_F(DaemonTest, ServesTheSocketPassedBySocketActivation) {
    // systemd-socket-activate binds `socket` and starts the daemon on the first
    // connection, as modelvaultd.socket does; the config names another path, unused.
    NotifySocket notify(dir / "notify.sock");
    const auto configured = dir / "configured.sock";
    config["socket"] = configured.string();
    // It passes on PATH, HOME, TERM, USER and what -E names, nothing else.
    daemon_wrapper = {"systemd-socket-activate", "--listen=" + socket.string(), "-E",
                      "NOTIFY_SOCKET"};
    daemon_env["NOTIFY_SOCKET"] = notify.path().string();
    launch_daemon();
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(socket); })) << daemon_log();

    // The first client starts the daemon and is answered by it.
    const auto status = ctl({"status"});
    EXPECT_EQ(status.exit_code, 0) << status.err << daemon_log();
    ASSERT_TRUE(notify.wait_for("READY=1", 30s)) << daemon_log();
    EXPECT_THAT(daemon_log(), HasSubstr("serving the control socket passed by systemd (" +
                                        socket.string() + ")"));
    EXPECT_THAT(daemon_log(), HasSubstr("socket " + socket.string() + ", 1 watch(es)"));
    EXPECT_FALSE(std::filesystem::exists(configured));
    write_model("dqn.pkl", pickle("activated"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));

    // The socket belongs to the service manager: the daemon leaves it in place on exit,
    // so the next connection could start the daemon again.
    EXPECT_EQ(stop_daemon(), 0);
    EXPECT_TRUE(std::filesystem::exists(socket));
}

TEST_F(DaemonTest, UnderTheJournalLinesCarrySyslogPrioritiesAndNoTimestamps) {
    // systemd connects stderr to the journal and names that stream in JOURNAL_STREAM
    // (device:inode); here the stream is the log file.
    write_file(log_file, "");
    struct stat st {};
    ASSERT_EQ(::stat(log_file.c_str(), &st), 0);
    daemon_env["JOURNAL_STREAM"] = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    config["watches"][0]["path"] = (dir / "not-yet").string(); // a warning
    leave_stale_socket(socket);                                // a debug line
    start_daemon();
    std::ofstream(config_file) << R"({"watches": [{"name": "x"}]})";
    daemon->signal(SIGHUP); // errors
    ASSERT_TRUE(
        wait_until([&] { return daemon_log().find("reload rejected") != std::string::npos; }));
    EXPECT_EQ(stop_daemon(), 0);

    const auto lines = lines_of(daemon_log());
    ASSERT_FALSE(lines.empty());
    for (const auto& line : lines) {
        EXPECT_THAT(line, ContainsRegex("^<[2-7]>[^[:space:]]"));
        EXPECT_THAT(line.substr(3), Not(ContainsRegex(k_timestamp)));
    }
    const std::string log = daemon_log();
    EXPECT_THAT(log, HasSubstr("<6>modelvaultd " MV_VERSION " ready"));
    EXPECT_THAT(log, HasSubstr("<4>watch lab: missing"));
    EXPECT_THAT(log, HasSubstr("<3>reload rejected"));
    EXPECT_THAT(log, HasSubstr("<7>control socket: removed the stale socket file"));
}

TEST_F(DaemonTest, InTheForegroundLinesHaveTimestampsAndColoursOnlyOnATerminal) {
    // A JOURNAL_STREAM that is not our stderr (inherited from a shell in a unit) is ignored.
    daemon_env["JOURNAL_STREAM"] = "1:1";
    start_daemon();
    EXPECT_EQ(stop_daemon(), 0);
    for (const auto& line : lines_of(daemon_log())) {
        EXPECT_THAT(line, ContainsRegex(k_timestamp));
        EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    }

    // On a terminal (script(1) runs the daemon on a pseudo-terminal) levels are coloured.
    // The socket path is taken by a plain file, so the daemon logs a critical error and
    // exits at once.
    write_file(socket, "not a socket");
    std::ofstream(config_file) << config.dump(2);
    const auto on_tty = sh("script -qec '" + binary("modelvaultd") + " --config " +
                               config_file.string() + "' /dev/null",
                           {.env = {}, .cwd = {}, .input = {}, .timeout = 30s});
    EXPECT_NE(on_tty.exit_code, 0);
    EXPECT_THAT(on_tty.out, HasSubstr("exists and is not a socket"));
    EXPECT_THAT(on_tty.out, HasSubstr("\x1b["));
    EXPECT_THAT(on_tty.out, ContainsRegex(k_date_time));
}

TEST_F(DaemonTest, ReloadKeepsQueuedJobsAndAppliesAddedChangedAndRemovedWatches) {
    // Forty models that changed while the daemon was down: the start-up scan queues them
    // all (two workers), and the config is reloaded while they are being written.
    constexpr int k_models = 40;
    for (int i = 0; i < k_models; ++i) {
        write_model("m" + std::to_string(i) + ".pkl",
                    pickle(random_bytes(1024 * 1024, static_cast<unsigned>(i + 1))));
    }
    NotifySocket notify(dir / "notify.sock");
    daemon_env["NOTIFY_SOCKET"] = notify.path().string();
    launch_daemon();
    ASSERT_TRUE(notify.wait_for("READY=1", 30s)) << daemon_log();
    std::filesystem::create_directories(dir / "second");
    config["watches"][0]["exclude"] = {"skip_*"};
    config["watches"].push_back(
        {{"name", "two"}, {"path", (dir / "second").string()}, {"settle", "200ms"}});
    std::ofstream(config_file) << config.dump(2);
    // The reload must come while work is waiting, or this test proves nothing.
    const auto queue = ctl_json({"status"})["queue"];
    ASSERT_FALSE(queue["queued"].empty()) << queue.dump();
    daemon->signal(SIGHUP);
    ASSERT_TRUE(notify.wait_for("RELOADING=1", 10s));
    ASSERT_TRUE(notify.wait_for("READY=1", 10s));

    // Nothing queued before the reload is lost.
    ASSERT_TRUE(wait_until([&] { return versions().size() >= k_models; }, 120s))
        << versions().size() << " of " << k_models << " versions";
    // The changed watch excludes skip_*, the added one is watched. The excluded file is
    // written first: once the later file is a version, the earlier one was decided.
    write_model("skip_me.pkl", pickle("excluded"));
    write_file(dir / "second/b.pkl", pickle("second watch"));
    write_model("after.pkl", pickle("still watched"));
    ASSERT_TRUE(wait_for_versions("two/b.pkl", 1));
    ASSERT_TRUE(wait_for_versions("lab/after.pkl", 1));
    EXPECT_TRUE(versions("lab/skip_me.pkl").empty());

    // Removing the watch stops its backups.
    config["watches"].erase(1);
    std::ofstream(config_file) << config.dump(2);
    ASSERT_EQ(ctl({"reload"}).exit_code, 0);
    write_file(dir / "second/c.pkl", pickle("no longer watched"));
    write_model("after2.pkl", pickle("watched"));
    ASSERT_TRUE(wait_for_versions("lab/after2.pkl", 1));
    EXPECT_TRUE(versions("two/c.pkl").empty());
    EXPECT_EQ(ctl_json({"status"})["watches"].size(), 1u);
}

} // namespace
} // namespace mv::test
