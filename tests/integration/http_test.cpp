// The HTTP API through the real daemon (docs/HTTP.md) with a real HTTP client (Python's
// http.client, tests/integration/http_client.py): tokens decide read or write as the
// access lists do on the socket, answers are the commands' own, and malformed, oversized,
// slow and crowding clients are refused without holding anyone else up.
#include <fstream>
#include <regex>
#include <sys/stat.h>
#include <thread>

#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* k_read_token = "r3ad-token-for-tests-0123";
constexpr const char* k_write_token = "wr1te-token-for-tests-0123";

class HttpTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        write_file(tokens, std::string("read ") + k_read_token + "\nwrite " + k_write_token + "\n");
        ::chmod(tokens.c_str(), 0600);
        config["http"] = {{"listen", "127.0.0.1:0"}, {"tokens_file", tokens.string()}};
    }

    // The port the daemon logged ("serving HTTP on http://127.0.0.1:PORT/").
    std::string base_url() {
        if (m_base.empty()) {
            const std::regex serving(R"(serving HTTP on (http://127\.0\.0\.1:\d+)/)");
            std::smatch match;
            std::string log;
            EXPECT_TRUE(wait_until(
                [&] {
                    log = daemon_log();
                    return std::regex_search(log, match, serving);
                },
                20s))
                << log;
            m_base = match[1];
        }
        return m_base;
    }
    std::string port() { return base_url().substr(base_url().rfind(':') + 1); }

    json client(std::vector<std::string> args) {
        args.insert(args.begin(), {"python3", script});
        const auto result = run(args, {{}, {}, "", 120s});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return json::parse(result.out);
    }

    /// METHOD on PATH with `token` ("" for none) and `body`; {"status", "headers", "body"}
    /// with the body parsed when it is JSON.
    json call(const std::string& method, const std::string& path, const std::string& token,
              const std::string& body = "") {
        std::vector<std::string> args = {"request", method, base_url() + path};
        if (!token.empty()) {
            args.push_back("Authorization: Bearer " + token);
        }
        if (!body.empty()) {
            args.insert(args.end(), {"--body", body});
        }
        json answer = client(args);
        if (answer["headers"].value("Content-Type", "") == "application/json") {
            answer["json"] = json::parse(answer["body"].get<std::string>());
        }
        return answer;
    }

    std::filesystem::path tokens = dir / "http-tokens";
    std::string script = std::string(MV_SOURCE_DIR) + "/tests/integration/http_client.py";
    std::string m_base;
};

TEST_F(HttpTest, TokensDecideReadOrWriteAsTheAccessListsDo) {
    config["watches"][0]["triggers"] = {{"on_change", false}}; // versions come from requests
    write_model("a.pkl", pickle("weights-a"));
    start_daemon();
    ASSERT_EQ(ctl({"backup", "lab/a.pkl"}).exit_code, 0);
    // No token, or one the file does not have: 401, and the scheme to use.
    auto answer = call("GET", "/api/v1/status", "");
    EXPECT_EQ(answer["status"], 401);
    EXPECT_EQ(answer["headers"]["WWW-Authenticate"], "Bearer realm=\"modelvault\"");
    EXPECT_EQ(answer["json"]["error"]["code"], "unauthorized");
    EXPECT_EQ(call("GET", "/api/v1/status", "not-a-token-of-the-file")["status"], 401);
    // A read token reads what `list`, `show` and `history` say on the socket.
    answer = call("GET", "/api/v1/status", k_read_token);
    EXPECT_EQ(answer["status"], 200);
    EXPECT_EQ(answer["json"]["vault"]["versions"], 1);
    answer = call("GET", "/api/v1/models", k_read_token);
    EXPECT_EQ(answer["json"]["models"][0]["model"], "lab/a.pkl");
    EXPECT_EQ(answer["json"]["models"][0]["versions"], 1);
    EXPECT_EQ(answer["json"]["models"][0]["latest"], "1.0.0");
    answer = call("GET", "/api/v1/models/lab%2Fa.pkl/versions?limit=5", k_read_token);
    EXPECT_EQ(answer["json"]["versions"], versions("lab/a.pkl"));
    answer = call("GET", "/api/v1/models/lab%2Fa.pkl/versions/latest", k_read_token);
    EXPECT_EQ(answer["json"]["manifest"]["version"], "1.0.0");
    EXPECT_EQ(call("GET", "/api/v1/models/lab%2Fa.pkl/history", k_read_token)["status"], 200);
    // ... but may not back up, as a user on access.read may not: 403, audited.
    answer = call("POST", "/api/v1/models/lab%2Fa.pkl/backup", k_read_token, R"({"bump":"minor"})");
    EXPECT_EQ(answer["status"], 403);
    EXPECT_EQ(answer["json"]["error"]["code"], "forbidden");
    // (audit needs write, as on the socket; like there, reading the log is not audited)
    EXPECT_EQ(call("GET", "/api/v1/audit", k_read_token)["status"], 403);
    // A write token backs up (the file changed) and tags.
    write_model("a.pkl", pickle("weights-a, epoch 2"));
    answer = call("POST", "/api/v1/models/lab%2Fa.pkl/backup", k_write_token,
                  R"({"bump":"minor","note":"over HTTP"})");
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["json"]["results"][0]["status"], "committed");
    EXPECT_EQ(answer["json"]["results"][0]["version"], "1.1.0");
    answer = call("POST", "/api/v1/models/lab%2Fa.pkl/versions/1.1.0/tags", k_write_token,
                  R"({"tag":"prod"})");
    EXPECT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(ctl_json({"show", "lab/a.pkl@prod"})["version"], "1.1.0");
    EXPECT_EQ(call("DELETE", "/api/v1/models/lab%2Fa.pkl/versions/1.1.0/tags/prod",
                   k_write_token)["status"],
              200);
    EXPECT_NE(ctl({"show", "lab/a.pkl@prod"}).exit_code, 0);
    // The audit log names the token and the way the requests came.
    answer = call("GET", "/api/v1/audit?limit=10", k_write_token);
    ASSERT_EQ(answer["status"], 200) << answer;
    std::vector<std::string> seen;
    for (const auto& record : answer["json"]["records"]) {
        if (record["via"] == "http") {
            const std::string user = record["user"];
            seen.push_back(record["command"].get<std::string>() + " " +
                           record["result"].get<std::string>() + " " +
                           (user.starts_with("http read token (line 1 of ") ? "read" : user));
        }
    }
    const std::string writer = "http write token (line 2 of " + tokens.string() + ")";
    EXPECT_EQ(seen, (std::vector<std::string>{"backup denied read", "backup ok " + writer,
                                              "tag ok " + writer, "tag ok " + writer}));
}

TEST_F(HttpTest, ErrorsHaveTheirStatusAndSayWhatToDo) {
    start_daemon();
    auto answer = call("GET", "/api/v1/models/lab%2Fnone.pkl/versions/latest", k_read_token);
    EXPECT_EQ(answer["status"], 404);
    EXPECT_EQ(answer["json"]["error"]["code"], "not_found");
    EXPECT_EQ(call("GET", "/api/v2/status", k_read_token)["status"], 404);
    EXPECT_EQ(call("PUT", "/api/v1/status", k_read_token)["status"], 405);
    answer = call("GET", "/api/v1/versions?limit=lots", k_read_token);
    EXPECT_EQ(answer["status"], 400);
    EXPECT_EQ(answer["json"]["error"]["message"],
              "query parameter limit must be an integer, got \"lots\"");
    answer = call("POST", "/api/v1/backup", k_write_token, "{\"all\": tr");
    EXPECT_EQ(answer["status"], 400);
    EXPECT_EQ(answer["json"]["error"]["code"], "invalid_argument");
    // Over 1 MiB of body: 413, and the answer arrives (the rest of the body is drained).
    answer = client({"request", "POST", base_url() + "/api/v1/backup",
                     std::string("Authorization: Bearer ") + k_write_token, "--body-size",
                     std::to_string((1 << 20) + 1)});
    EXPECT_EQ(answer["status"], 413) << answer;
    // Not HTTP at all: 400.
    answer = client({"raw", "127.0.0.1", port(), "HELLO THERE\r\n\r\n"});
    EXPECT_EQ(answer["answer"], "HTTP/1.1 400 Bad Request");
}

TEST_F(HttpTest, MetricsAreTheTextfilesTextAndPassPromtool) {
    write_model("a.pkl", pickle("weights-a"));
    start_daemon();
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 1));
    EXPECT_EQ(call("GET", "/metrics", "")["status"], 401);
    const auto answer = call("GET", "/metrics", k_read_token);
    ASSERT_EQ(answer["status"], 200);
    EXPECT_EQ(answer["headers"]["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
    const std::string text = answer["body"];
    EXPECT_NE(text.find("\nmodelvault_vault_versions 1\n"), std::string::npos) << text;
    CommandOptions with_text;
    with_text.input = text;
    const auto check = run({"promtool", "check", "metrics"}, with_text);
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err << text;
}

TEST_F(HttpTest, SlowAndCrowdingClientsAreDroppedWhileOthersAreServed) {
    start_daemon();
    // Half a request line, then nothing: closed at the 10 s header deadline ...
    std::thread slow_client([&] {
        const auto slow = client({"slow", "127.0.0.1", port()});
        EXPECT_GE(slow["closed_after"].get<double>(), 9.0);
        EXPECT_LT(slow["closed_after"].get<double>(), 40.0);
    });
    // ... and meanwhile everybody else is answered.
    EXPECT_EQ(call("GET", "/api/v1/status", k_read_token)["status"], 200);
    slow_client.join();
    // 64 connections at once: the next one is told to come back later.
    const auto crowd = client({"crowd", "127.0.0.1", port(), "64"});
    EXPECT_EQ(crowd["status"], 503) << crowd;
    EXPECT_EQ(call("GET", "/api/v1/status", k_read_token)["status"], 200);
}

TEST_F(HttpTest, ATokensFileOthersCanReadStopsTheStart) {
    ::chmod(tokens.c_str(), 0644);
    launch_daemon();
    EXPECT_EQ(daemon->wait(20s), 78);
    EXPECT_NE(daemon_log().find("has mode 0644: other users could read the tokens; run `chmod 600"),
              std::string::npos)
        << daemon_log();
}

} // namespace
} // namespace mv::test
