// Bad requests, unreachable daemons and signals: clear answers, nothing lost.
#include <csignal>
#include <fstream>
#include <thread>

#include "ipc/client.hpp"
#include "ipc/protocol.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

TEST_F(DaemonTest, MalformedUnknownAndOversizedRequestsGetErrorsAndTheDaemonKeepsAnswering) {
    start_daemon();
    auto client = ipc::Client::connect(socket);
    client.send_raw("{this is not json\n");
    auto reply = client.read_line(5s);
    EXPECT_EQ(reply.message["error"]["code"], "invalid_argument");
    reply = client.call("frobnicate", {}, {}, 5s);
    EXPECT_EQ(reply.message["error"]["code"], "not_found");
    EXPECT_NE(reply.message["error"]["message"].get<std::string>().find("status"),
              std::string::npos);
    reply = client.call("list", {{"limit", "ten"}}, {}, 5s);
    EXPECT_EQ(reply.message["error"]["code"], "invalid_argument");
    reply = client.call("show", {{"target", "lab/none.pkl"}}, {}, 5s);
    EXPECT_EQ(reply.message["error"]["code"], "not_found");
    EXPECT_TRUE(client.call("status", {}, {}, 5s).ok());
    // More than 1 MiB in one line: refused, connection closed, others unaffected.
    auto big = ipc::Client::connect(socket);
    std::thread sender([&] {
        try {
            big.send_raw("{\"command\":\"status\",\"args\":{\"x\":\"" + std::string(2u << 20, 'a'));
        } catch (const Error&) {
        }
    });
    reply = big.read_line(10s);
    sender.join();
    EXPECT_EQ(reply.message["error"]["code"], "invalid_argument");
    EXPECT_TRUE(ipc::Client::connect(socket).call("status", {}, {}, 5s).ok());
    EXPECT_TRUE(daemon_running());
}

TEST_F(DaemonTest, UnreachableDaemonExitsThreeNamingTheSocket) {
    const auto out = ctl({"status"});
    EXPECT_EQ(out.exit_code, 3);
    EXPECT_NE(out.err.find(socket.string()), std::string::npos) << out.err;
    EXPECT_NE(out.err.find("systemctl status modelvaultd"), std::string::npos) << out.err;
}

TEST_F(DaemonTest, UsageErrorsExitTwo) {
    start_daemon();
    EXPECT_EQ(ctl({"restore", "lab/x.pkl"}).exit_code, 2); // no --to
    EXPECT_EQ(ctl({"verify"}).exit_code, 2);               // neither MODEL nor --all
    EXPECT_EQ(ctl({"list", "--bogus"}).exit_code, 2);
    EXPECT_EQ(ctl({"no-such-command"}).exit_code, 2);
    const auto help = ctl({"restore", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--force"), std::string::npos);
}

TEST_F(DaemonTest, SigtermStopsCleanlyAndRemovesTheSocket) {
    start_daemon();
    EXPECT_EQ(stop_daemon(), 0);
    EXPECT_FALSE(std::filesystem::exists(socket));
    EXPECT_NE(daemon_log().find("modelvaultd stopped"), std::string::npos);
}

TEST_F(DaemonTest, SecondDaemonOnTheSameVaultIsRefused) {
    start_daemon();
    config["socket"] = (dir / "other.sock").string();
    std::ofstream(dir / "other.json") << config.dump();
    const auto second = run({binary("modelvaultd"), "--config", (dir / "other.json").string()},
                            {.env = {}, .cwd = {}, .input = {}, .timeout = 20s});
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_NE(second.err.find("in use by another modelvaultd"), std::string::npos) << second.err;
    EXPECT_TRUE(daemon_running());
}

} // namespace
} // namespace mv::test
