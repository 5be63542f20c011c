// Webhooks through the real daemon (docs/NOTIFICATIONS.md, "Webhooks"): a signed JSON
// POST received by a real HTTP server (tests/integration/webhook_receiver.py), kept in
// the durable queue while the receiver is down — across a restart of the daemon — and
// delivered once when it comes up.
#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// A loopback port nothing listens on (the kernel picked it; it stays free in practice).
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

std::vector<json> received(const std::filesystem::path& log) {
    std::vector<json> requests;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        requests.push_back(json::parse(line));
    }
    return requests;
}

TEST_F(DaemonTest, WebhookIsSignedQueuedWhileTheReceiverIsDownAndDeliveredOnce) {
    const int port = free_port();
    const auto secret = dir / "webhook.secret";
    const auto log = dir / "received.jsonl";
    write_file(secret, "s3cr3t-for-tests\n");
    config["webhooks"] = {{{"url", "http://127.0.0.1:" + std::to_string(port) + "/mv"},
                           {"events", {"backup_created"}},
                           {"secret_file", secret.string()}}};
    start_daemon();
    write_model("dqn.pkl", pickle("weights-webhook"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    // Nobody listens: the delivery fails and stays queued ...
    ASSERT_TRUE(wait_until(
        [&] {
            const auto webhooks = ctl_json({"status"})["notifications"]["webhooks"];
            return webhooks["failed_attempts"].get<int>() >= 1 && webhooks["queued"] == 1;
        },
        60s, 200ms))
        << ctl_json({"status"}).dump(2);
    // ... across a restart of the daemon.
    EXPECT_EQ(stop_daemon(), 0);
    start_daemon();
    Child receiver({"/usr/bin/python3",
                    std::string(MV_SOURCE_DIR) + "/tests/integration/webhook_receiver.py",
                    std::to_string(port), log.string(), secret.string()},
                   dir / "receiver.log");
    ASSERT_TRUE(wait_until([&] { return !received(log).empty(); }, 60s, 200ms))
        << daemon_log() << read_file(dir / "receiver.log");
    ASSERT_TRUE(
        wait_until([&] { return ctl_json({"status"})["notifications"]["webhooks"]["queued"] == 0; },
                   30s, 200ms));
    const auto requests = received(log);
    ASSERT_EQ(requests.size(), 1u) << json(requests).dump(2);
    const json& request = requests[0];
    EXPECT_EQ(request["path"], "/mv");
    EXPECT_TRUE(request["signature_ok"].get<bool>()) << request.dump(2);
    EXPECT_EQ(request["headers"]["content-type"], "application/json");
    EXPECT_EQ(request["headers"]["x-modelvault-event"], "backup_created");
    const json& body = request["body"];
    EXPECT_EQ(body["event"], "backup_created");
    EXPECT_EQ(body["model"], "lab/dqn.pkl");
    EXPECT_EQ(body["version"], "1.0.0");
    EXPECT_EQ(body["trigger"], "change");
    EXPECT_EQ(body["watch"], "lab");
    EXPECT_EQ(body["delivery"], request["headers"]["x-modelvault-delivery"]);
    EXPECT_EQ(body["size_bytes"], pickle("weights-webhook").size());
    // A second event goes out at once, and the first is not sent again.
    write_model("dqn.pkl", pickle("weights-webhook-2"));
    ASSERT_TRUE(wait_until([&] { return received(log).size() >= 2; }, 60s, 200ms));
    std::this_thread::sleep_for(1s);
    const auto after = received(log);
    ASSERT_EQ(after.size(), 2u) << json(after).dump(2);
    EXPECT_EQ(after[1]["body"]["version"], "1.0.1");
    EXPECT_NE(after[1]["body"]["delivery"], body["delivery"]);
}

} // namespace
} // namespace mv::test
