// The real server on a real Unix socket, driven by the real client.
#include <atomic>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "ipc/client.hpp"
#include "ipc/server.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/lib/wait.hpp"

namespace mv::ipc {
namespace {

using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override { start({}); }
    void TearDown() override { shutdown(); }

    void start(ServerLimits limits) {
        server = std::make_unique<Server>(
            io,
            [this](const Peer& peer, Request request, std::shared_ptr<Responder> responder) {
                handle(peer, std::move(request), std::move(responder));
            },
            limits, [this](const Peer&) { return admission.load(); });
        server->listen(socket, "");
        thread = std::thread([this] { io.run(); });
    }

    /// A new server with `limits`; the old one is stopped and its last handlers have run.
    void start_over_with(ServerLimits limits) {
        shutdown();
        io.restart();
        io.poll();
        io.restart(); // poll() stops a loop that ran out of work
        start(limits);
    }

    void shutdown() {
        // Stop the server before the loop, so that no posted stop() reaches the next one.
        boost::asio::post(io, [this] {
            server->stop();
            io.stop();
        });
        if (thread.joinable()) {
            thread.join();
        }
        for (auto& worker : workers) {
            worker.join();
        }
        workers.clear();
    }

    void handle(const Peer& peer, Request request, std::shared_ptr<Responder> responder) {
        if (request.command == "echo") {
            responder->succeed({{"args", request.args}, {"uid", peer.uid}});
        } else if (request.command == "progress") {
            for (int i = 0; i < 3; ++i) {
                responder->progress({{"step", i}});
            }
            responder->succeed({{"done", true}});
        } else if (request.command == "later") {
            // Answered from another thread, as a backup job would.
            workers.emplace_back([responder] {
                std::this_thread::sleep_for(200ms);
                responder->succeed({{"late", true}});
            });
        } else if (request.command == "fd") {
            UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
            responder->succeed({{"with_fd", true}}, std::move(fd));
        } else if (request.command == "big") {
            ++big_requests;
            responder->succeed({{"payload", std::string(64 * 1024, 'x')}});
        } else if (request.command == "count-fds") {
            std::string first;
            if (!request.fds.empty()) {
                char buffer[64] = {};
                const ssize_t got = ::pread(request.fds[0].get(), buffer, sizeof buffer - 1, 0);
                first.assign(buffer, got > 0 ? static_cast<std::size_t>(got) : 0);
            }
            responder->succeed({{"fds", request.fds.size()}, {"first", first}});
        } else if (request.command == "forget") {
            // Dropping the responder without answering still answers (internal error).
        } else {
            responder->fail(ErrorCode::not_found, "unknown command " + request.command);
        }
    }

    test::TempDir dir{"ipc"};
    std::filesystem::path socket = dir / "s.sock";
    std::filesystem::path file = dir / "payload";
    boost::asio::io_context io;
    std::unique_ptr<Server> server;
    std::thread thread;
    std::vector<std::thread> workers;
    std::atomic<int> big_requests{0};
    /// What every peer is taken for (the test runs as one uid).
    std::atomic<Admission> admission{Admission::privileged};
};

TEST_F(ServerTest, AnswersWithTheRequestIdAndPeerCredentials) {
    auto client = Client::connect(socket);
    auto reply = client.call("echo", {{"x", 1}}, {}, 5s);
    ASSERT_TRUE(reply.ok()) << reply.message.dump();
    EXPECT_EQ(reply.message["id"], 1);
    EXPECT_EQ(reply.message["result"]["args"]["x"], 1);
    EXPECT_EQ(reply.message["result"]["uid"], ::getuid());
    EXPECT_EQ(client.call("echo", {}, {}, 5s).message["id"], 2);
}

TEST_F(ServerTest, ProgressLinesComeBeforeTheFinalResponse) {
    auto client = Client::connect(socket);
    std::vector<int> steps;
    auto reply = client.call(
        "progress", {}, [&](const nlohmann::json& p) { steps.push_back(p["step"].get<int>()); },
        5s);
    EXPECT_TRUE(reply.ok());
    EXPECT_EQ(steps, (std::vector<int>{0, 1, 2}));
}

TEST_F(ServerTest, MalformedAndUnknownRequestsGetErrorsAndTheConnectionLives) {
    auto client = Client::connect(socket);
    client.send_raw("this is not json\n");
    auto reply = client.read_line(5s);
    EXPECT_FALSE(reply.ok());
    EXPECT_EQ(reply.message["error"]["code"], "invalid_argument");
    EXPECT_TRUE(reply.message["id"].is_null());
    reply = client.call("no-such-command", {}, {}, 5s);
    EXPECT_EQ(reply.message["error"]["code"], "not_found");
    reply = client.call("forget", {}, {}, 5s);
    EXPECT_EQ(reply.message["error"]["code"], "internal");
    EXPECT_TRUE(client.call("echo", {}, {}, 5s).ok());
}

TEST_F(ServerTest, OversizedRequestIsRefusedAndOthersAreUnaffected) {
    auto big = Client::connect(socket);
    std::thread sender([&] {
        try {
            big.send_raw(std::string(2u << 20, 'x'));
        } catch (const Error&) {
            // The server hangs up mid-request; that is the point.
        }
    });
    auto reply = big.read_line(10s);
    sender.join();
    EXPECT_FALSE(reply.ok());
    EXPECT_NE(reply.message["error"]["message"].get<std::string>().find("1 MiB"),
              std::string::npos);
    auto other = Client::connect(socket);
    EXPECT_TRUE(other.call("echo", {}, {}, 5s).ok());
}

TEST_F(ServerTest, ASilentOrWaitingClientDoesNotBlockOthers) {
    auto silent = Client::connect(socket);
    silent.send_raw("{\"command\":\"ech"); // half a request, never finished
    auto waiting = Client::connect(socket);
    waiting.send_raw(serialize({{"id", 1}, {"command", "later"}}));
    auto other = Client::connect(socket);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(other.call("echo", {}, {}, 5s).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 150ms);
    EXPECT_TRUE(waiting.read_line(5s).message["result"]["late"]);
}

TEST_F(ServerTest, AClientThatDoesNotReadIsNotServedAheadOfItsReading) {
    // 300 pipelined requests with 64 KiB answers, and nobody reading them: the daemon
    // must stop taking requests once the socket is full instead of queueing answers.
    auto greedy = Client::connect(socket);
    std::string requests;
    for (int i = 0; i < 300; ++i) {
        requests += serialize({{"id", i}, {"command", "big"}});
    }
    greedy.send_raw(requests);
    std::this_thread::sleep_for(500ms);
    const int served_before_reading = big_requests.load();
    EXPECT_LT(served_before_reading, 40) << "answers were queued for a client that reads nothing";
    // Others are served meanwhile, and the greedy client gets every answer once it reads.
    EXPECT_TRUE(Client::connect(socket).call("echo", {}, {}, 5s).ok());
    for (int i = 0; i < 300; ++i) {
        const auto reply = greedy.read_line(10s);
        ASSERT_EQ(reply.message["id"], i);
    }
    EXPECT_EQ(big_requests.load(), 300);
}

TEST_F(ServerTest, ReceivesDescriptorsWithTheirRequestOnly) {
    test::write_file(file, "client's file");
    UniqueFd a(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd b(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    auto client = Client::connect(socket);
    auto reply = client.call("count-fds", {}, {}, 5s, {a.get(), b.get()});
    ASSERT_TRUE(reply.ok()) << reply.message.dump();
    EXPECT_EQ(reply.message["result"]["fds"], 2);
    EXPECT_EQ(reply.message["result"]["first"], "client's file");
    // The next request on the same connection carries none.
    EXPECT_EQ(client.call("count-fds", {}, {}, 5s).message["result"]["fds"], 0);
}

TEST_F(ServerTest, PassesADescriptorWithTheResponse) {
    test::write_file(file, "model bytes");
    auto client = Client::connect(socket);
    auto reply = client.call("fd", {}, {}, 5s);
    ASSERT_TRUE(reply.ok());
    ASSERT_TRUE(reply.fd);
    char buffer[32] = {};
    EXPECT_EQ(::read(reply.fd.get(), buffer, sizeof buffer), 11);
    EXPECT_STREQ(buffer, "model bytes");
}

TEST_F(ServerTest, IdleConnectionsAreClosed) {
    start_over_with({.first_request_timeout = 1s, .idle_timeout = 2s});
    // Silent from the start: closed after the first-request deadline.
    auto idle = Client::connect(socket);
    EXPECT_THROW(idle.read_line(5s), UnreachableError);
    // Silent after an answer: closed after the idle timeout.
    auto once = Client::connect(socket);
    EXPECT_TRUE(once.call("echo", {}, {}, 5s).ok());
    EXPECT_THROW(once.read_line(5s), UnreachableError);
}

TEST_F(ServerTest, ARequestDribbledByteByByteDoesNotExtendItsDeadline) {
    start_over_with({.first_request_timeout = 1s});
    auto slow = Client::connect(socket);
    const auto start = std::chrono::steady_clock::now();
    try {
        for (int i = 0; i < 40; ++i) {
            slow.send_raw("{");
            std::this_thread::sleep_for(100ms);
        }
    } catch (const UnreachableError&) {
        // Hung up on mid-request: expected.
    }
    EXPECT_THROW(slow.read_line(5s), UnreachableError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3500ms);
}

TEST_F(ServerTest, EachUserHasAFewSlotsAndTheLastOnesAreKeptForPrivilegedPeers) {
    start_over_with({.max_sessions = 6, .reserved_sessions = 2, .max_sessions_per_uid = 3});
    admission = Admission::member;
    std::vector<Client> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(Client::connect(socket));
        ASSERT_TRUE(held.back().call("echo", {}, {}, 5s).ok()) << i;
    }
    // A fourth connection of the same user is refused at once, saying why.
    auto fourth = Client::connect(socket).call("echo", {}, {}, 5s);
    EXPECT_EQ(fourth.message["error"]["code"], "unavailable");
    EXPECT_NE(fourth.message["error"]["message"].get<std::string>().find("connections open"),
              std::string::npos)
        << fourth.message.dump();
    // Privileged peers are not limited per uid and have the reserve ...
    admission = Admission::privileged;
    for (int i = 0; i < 3; ++i) {
        held.push_back(Client::connect(socket));
        ASSERT_TRUE(held.back().call("echo", {}, {}, 5s).ok()) << i;
    }
    // ... up to the total.
    EXPECT_EQ(Client::connect(socket).call("echo", {}, {}, 5s).message["error"]["code"],
              "unavailable");
    // Members never take the reserve: with 4 of 6 slots used by members, none is left.
    held.clear();
    admission = Admission::member;
    start_over_with({.max_sessions = 6, .reserved_sessions = 2, .max_sessions_per_uid = 10});
    for (int i = 0; i < 4; ++i) {
        held.push_back(Client::connect(socket));
        ASSERT_TRUE(held.back().call("echo", {}, {}, 5s).ok()) << i;
    }
    const auto over = Client::connect(socket).call("echo", {}, {}, 5s);
    EXPECT_NE(over.message["error"]["message"].get<std::string>().find("kept for root"),
              std::string::npos)
        << over.message.dump();
    admission = Admission::privileged;
    EXPECT_TRUE(Client::connect(socket).call("echo", {}, {}, 5s).ok());
}

TEST_F(ServerTest, AStrangerIsHungUpOnOnceAnswered) {
    admission = Admission::stranger;
    auto client = Client::connect(socket);
    EXPECT_EQ(client.call("nope", {}, {}, 5s).message["error"]["code"], "not_found");
    EXPECT_THROW(client.read_line(5s), UnreachableError);
}

TEST_F(ServerTest, SecondServerOnALiveSocketIsRefused) {
    boost::asio::io_context other_io;
    Server second(other_io, [](const Peer&, Request, std::shared_ptr<Responder>) {});
    EXPECT_THROW(second.listen(socket, ""), Fatal);
    EXPECT_TRUE(Client::connect(socket).call("echo", {}, {}, 5s).ok());
}

TEST(ServerStale, ReplacesASocketFileLeftByACrash) {
    test::TempDir dir("ipc-stale");
    const auto path = dir / "s.sock";
    {
        boost::asio::io_context io;
        Server crashed(io, [](const Peer&, Request, std::shared_ptr<Responder>) {});
        crashed.listen(path, "");
        // Simulate a crash: the socket file stays behind (stop() would remove it).
        std::filesystem::create_hard_link(path, dir / "keep.sock");
    }
    std::filesystem::rename(dir / "keep.sock", path);
    ASSERT_TRUE(std::filesystem::is_socket(path));
    boost::asio::io_context io;
    Server fresh(io, [](const Peer&, Request, std::shared_ptr<Responder> r) { r->succeed({}); });
    EXPECT_NO_THROW(fresh.listen(path, ""));
}

TEST(ClientErrors, NameTheSocket) {
    test::TempDir dir("ipc-none");
    try {
        Client::connect(dir / "absent.sock");
        FAIL();
    } catch (const UnreachableError& e) {
        EXPECT_NE(std::string(e.what()).find("absent.sock"), std::string::npos);
    }
    test::write_file(dir / "plain", "");
    EXPECT_THROW(Client::connect(dir / "plain"), UnreachableError);
}

} // namespace
} // namespace mv::ipc
