// Requests built to hurt the daemon (issue 10): every one gets a clear error, and the
// daemon keeps answering.
#include "ipc/client.hpp"
#include "tests/integration/daemon_fixture.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;

TEST_F(DaemonTest, DeeplyNestedRequestIsRefusedAndTheDaemonLives) {
    start_daemon();
    // 58,000 levels in 116 KB, well under the 1 MiB line limit: before the fix copying
    // `args` recursed once per level and the daemon died of a stack overflow (SIGSEGV).
    const std::size_t levels = 58'000;
    auto client = ipc::Client::connect(socket);
    client.send_raw(R"({"command":"list","args":{"limit":)" + std::string(levels, '[') +
                    std::string(levels, ']') + "}}\n");
    const auto reply = client.read_line(10s);
    EXPECT_EQ(reply.message["error"]["code"], "invalid_argument") << reply.message.dump();
    EXPECT_NE(reply.message["error"]["message"].get<std::string>().find("64 levels"),
              std::string::npos)
        << reply.message.dump();
    EXPECT_TRUE(client.call("status", {}, {}, 5s).ok());
    EXPECT_TRUE(daemon_running());
}

TEST_F(DaemonTest, ARequestWithAKeyTwiceIsRefused) {
    start_daemon();
    // nlohmann-json keeps the last value: this ran `prune` while looking like `list`.
    auto client = ipc::Client::connect(socket);
    client.send_raw(R"({"id":1,"command":"list","command":"prune","args":{}})"
                    "\n");
    auto reply = client.read_line(10s);
    EXPECT_EQ(reply.message["error"]["code"], "invalid_argument") << reply.message.dump();
    EXPECT_NE(reply.message["error"]["message"].get<std::string>().find("\"command\" twice"),
              std::string::npos)
        << reply.message.dump();
    // In args too.
    client.send_raw(R"({"id":2,"command":"list","args":{"limit":1,"limit":2}})"
                    "\n");
    reply = client.read_line(10s);
    EXPECT_EQ(reply.message["error"]["code"], "invalid_argument") << reply.message.dump();
    EXPECT_TRUE(client.call("status", {}, {}, 5s).ok());
}

} // namespace
} // namespace mv::test
