// The HTTP API through the real daemon (docs/HTTP.md) with a real HTTP client (Python's
// http.client, tests/integration/http_client.py): tokens decide read or write as the
// access lists do on the socket, answers are the commands' own, and malformed, oversized,
// slow and crowding clients are refused without holding anyone else up.
#include <fstream>
#include <regex>
#include <sys/stat.h>
#include <thread>

#include "tests/integration/http_fixture.hpp"
#include "tests/lib/wait.hpp"
#include "util/time.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class HttpTest : public HttpFixture {
protected:
    void SetUp() override {
        HttpFixture::SetUp();
        config["http"] = {{"listen", "127.0.0.1:0"}, {"tokens_file", tokens.string()}};
    }

    // The address the daemon logged ("serving HTTP on http://127.0.0.1:PORT/").
    std::string base_url() {
        if (m_base.empty()) {
            m_base = from_log(R"(serving HTTP on (http://127\.0\.0\.1:\d+)/)");
        }
        return m_base;
    }
    std::string port() { return base_url().substr(base_url().rfind(':') + 1); }

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
    EXPECT_EQ(call("GET", "/api/v1/openapi.json", k_read_token)["json"]["openapi"], "3.0.3");
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

TEST_F(HttpTest, StatsCompareNotesAndDeletionsGoOverHttp) {
    config["watches"][0]["triggers"] = {{"on_change", false}};
    write_model("a.pkl", pickle("weights-a"));
    start_daemon();
    ASSERT_EQ(ctl({"backup", "lab/a.pkl"}).exit_code, 0);
    write_model("a.pkl", pickle("weights-a, epoch 2"));
    ASSERT_EQ(ctl({"backup", "lab/a.pkl"}).exit_code, 0);
    const std::string latest = versions("lab/a.pkl")[0]["version"];
    // stats and compare read, as on the socket.
    auto answer = call("GET", "/api/v1/stats?scope=lab", k_read_token);
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["json"]["versions"], 2);
    EXPECT_EQ(answer["json"]["models"], 1);
    answer = call("GET", "/api/v1/compare?targets=lab%2Fa.pkl%401.0.0&targets=lab%2Fa.pkl%40latest",
                  k_read_token);
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["json"]["versions"][1]["version"], latest);
    EXPECT_FALSE(answer["json"]["rows"].empty());
    EXPECT_EQ(call("GET", "/api/v1/compare?targets=lab%2Fa.pkl%401.0.0", k_read_token)["status"],
              400);
    // A note and a deletion need a write token.
    const std::string note = R"({"text":"diverged at 3k steps","tags":["lr"]})";
    EXPECT_EQ(call("POST", "/api/v1/models/lab%2Fa.pkl/versions/1.0.0/notes", k_read_token,
                   note)["status"],
              403);
    answer = call("POST", "/api/v1/models/lab%2Fa.pkl/versions/1.0.0/notes", k_write_token, note);
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["json"]["notes"][0]["text"], "diverged at 3k steps");
    EXPECT_EQ(ctl_json({"show", "lab/a.pkl@1.0.0"})["notes"][0]["tags"], json({"lr"}));
    EXPECT_EQ(call("DELETE", "/api/v1/models/lab%2Fa.pkl/versions/1.0.0", k_read_token)["status"],
              403);
    EXPECT_EQ(call("DELETE", "/api/v1/models/lab%2Fa.pkl/versions/1.0.0?force=yes",
                   k_write_token)["status"],
              400);
    answer = call("DELETE", "/api/v1/models/lab%2Fa.pkl/versions/1.0.0?force=true", k_write_token);
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["json"]["version"], "1.0.0");
    EXPECT_EQ(versions("lab/a.pkl").size(), 1u);
    EXPECT_EQ(call("DELETE", "/api/v1/models/lab%2Fa.pkl/versions/1.0.0", k_write_token)["status"],
              404);
}

TEST_F(HttpTest, AnExportIsTheArchiveModelvaultctlExportWrites) {
    config["watches"][0]["triggers"] = {{"on_change", false}};
    write_model("a.pkl", pickle("weights-a for the export"));
    start_daemon();
    ASSERT_EQ(ctl({"backup", "lab/a.pkl"}).exit_code, 0);
    const auto over_http = dir / "http.tar.zst";
    auto answer =
        client({"request", "GET", base_url() + "/api/v1/models/lab%2Fa.pkl/versions/1.0.0/export",
                std::string("Authorization: Bearer ") + k_read_token, "--out", over_http.string()});
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["headers"]["Content-Type"], "application/zstd");
    const std::string disposition = answer["headers"]["Content-Disposition"];
    EXPECT_TRUE(disposition.starts_with("attachment; filename=\"")) << disposition;
    const auto by_ctl = dir / "ctl.tar.zst";
    const auto exported = ctl({"export", "lab/a.pkl@1.0.0", "-o", by_ctl.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_EQ(read_file(over_http), read_file(by_ctl))
        << "not the bytes modelvaultctl export writes";
    const auto listing = run({"tar", "--zstd", "-tf", over_http.string()});
    EXPECT_EQ(listing.out.substr(0, listing.out.find('\n')), "manifest.json") << listing.out;
    EXPECT_NE(listing.out.find("model/a.pkl"), std::string::npos) << listing.out;
    // Errors are the API's, and the export is audited as the restore it is.
    EXPECT_EQ(
        call("GET", "/api/v1/models/lab%2Fa.pkl/versions/9.9.9/export", k_read_token)["status"],
        404);
    EXPECT_EQ(call("GET", "/api/v1/models/lab%2Fa.pkl/versions/1.0.0/export", "")["status"], 401);
    const auto audit = ctl_json({"audit"});
    std::vector<std::string> seen;
    for (const auto& record : audit["records"]) {
        if (record["via"] == "http") {
            seen.push_back(record["command"].get<std::string>() + " " +
                           record["result"].get<std::string>());
        }
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"restore ok"}));
}

TEST_F(HttpTest, AnEncryptedVersionIsExportedOnlyWithDecrypt) {
    const auto key = dir / "vault.key";
    ASSERT_EQ(run({binary("modelvaultctl"), "key", "init", key.string()}).exit_code, 0);
    config["encryption"] = {{"key_file", key.string()}};
    config["watches"][0]["triggers"] = {{"on_change", false}};
    write_model("a.pkl", pickle("weights-a, sealed"));
    start_daemon();
    ASSERT_EQ(ctl({"backup", "lab/a.pkl"}).exit_code, 0);
    const std::string path = "/api/v1/models/lab%2Fa.pkl/versions/latest/export";
    auto answer = call("GET", path, k_read_token);
    EXPECT_EQ(answer["status"], 400);
    EXPECT_NE(answer["body"].get<std::string>().find("add ?decrypt=true"), std::string::npos)
        << answer;
    const auto file = dir / "clear.tar.zst";
    answer = client({"request", "GET", base_url() + path + "?decrypt=true",
                     std::string("Authorization: Bearer ") + k_read_token, "--out", file.string()});
    ASSERT_EQ(answer["status"], 200) << answer;
    const auto listing = run({"tar", "--zstd", "-tf", file.string()});
    EXPECT_NE(listing.out.find("model/a.pkl"), std::string::npos) << listing.out;
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

// Three versions of lab/dqn.pkl, each better than the last: /eval/win_rate 0.5, 0.51, 0.6.
class DashboardTest : public HttpTest {
protected:
    void SetUp() override {
        HttpTest::SetUp();
        config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/eval/win_rate"}}}};
    }
    void make_versions() {
        start_daemon();
        std::size_t count = 0;
        for (const double win_rate : {0.5, 0.51, 0.6}) {
            write_model("dqn.metrics.json", json{{"eval", {{"win_rate", win_rate}}}}.dump());
            write_model("dqn.pkl", pickle("weights " + std::to_string(win_rate)));
            ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", ++count));
        }
    }
    json get_with(const std::string& path, const std::vector<std::string>& headers) {
        std::vector<std::string> args = {"request", "GET", base_url() + path};
        args.insert(args.end(), headers.begin(), headers.end());
        return client(args);
    }
};

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++count;
    }
    return count;
}

TEST_F(DashboardTest, ATokenOpensASessionThatReadsPagesButChangesNothing) {
    make_versions();
    // The token trades for a cookie, and the browser goes on to the page without it.
    auto answer = get_with(std::string("/models/lab%2Fdqn.pkl?token=") + k_read_token, {});
    ASSERT_EQ(answer["status"], 303) << answer;
    EXPECT_EQ(answer["headers"]["Location"], "/models/lab%2Fdqn.pkl");
    const std::string set_cookie = answer["headers"]["Set-Cookie"];
    EXPECT_NE(set_cookie.find("; HttpOnly; SameSite=Strict; Path=/"), std::string::npos);
    const std::string cookie = "Cookie: " + set_cookie.substr(0, set_cookie.find(';'));
    // The overview lists the model; its page charts one point per version, best ringed.
    answer = get_with("/", {cookie});
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["headers"]["Content-Type"], "text/html; charset=utf-8");
    EXPECT_NE(answer["headers"].value("Content-Security-Policy", "").find("default-src 'none'"),
              std::string::npos);
    const std::string overview = answer["body"];
    EXPECT_NE(overview.find("<a href=\"/models/lab%2Fdqn.pkl\">lab/dqn.pkl</a>"), std::string::npos)
        << overview;
    const std::string page = get_with("/models/lab%2Fdqn.pkl", {cookie})["body"];
    EXPECT_EQ(occurrences(page, "<circle class=\"point "), 3u) << page;
    EXPECT_EQ(occurrences(page, "class=\"best-ring\""), 1u);
    EXPECT_NE(page.find("data-version=\"1.1.0\""), std::string::npos);
    // The cookie reads the API too, but never changes anything: that needs the header.
    EXPECT_EQ(get_with("/api/v1/status", {cookie})["status"], 200);
    answer =
        client({"request", "POST", base_url() + "/api/v1/models/lab%2Fdqn.pkl/backup", cookie});
    EXPECT_EQ(answer["status"], 401) << answer;
    // Without the cookie, or with a made-up one: a page saying how to get in.
    answer = get_with("/", {});
    EXPECT_EQ(answer["status"], 401);
    EXPECT_NE(answer["body"].get<std::string>().find("/?token=TOKEN"), std::string::npos);
    EXPECT_EQ(get_with("/", {"Cookie: mv_session=0123"})["status"], 401);
    EXPECT_EQ(get_with("/?token=wrong-token-0123456789", {})["status"], 401);
}

TEST_F(DashboardTest, TheReportIsTheDashboardInOneFile) {
    make_versions();
    const auto file = dir / "report.html";
    const auto written = ctl({"report", "--html", file.string()});
    ASSERT_EQ(written.exit_code, 0) << written.err;
    const std::string report = read_file(file);
    EXPECT_NE(report.find("<a href=\"#lab/dqn.pkl\">lab/dqn.pkl</a>"), std::string::npos);
    EXPECT_NE(report.find("<section class=\"model\" id=\"lab/dqn.pkl\">"), std::string::npos);
    EXPECT_EQ(occurrences(report, "<circle class=\"point "), 3u) << report;
    EXPECT_EQ(report.find("<script"), std::string::npos);
    const auto json_report = ctl_json({"report"});
    EXPECT_EQ(json_report["models"][0]["best"], "1.2.0");
    EXPECT_EQ(json_report["versions"].size(), 3u);
    EXPECT_EQ(ctl({"report"}).exit_code, 2);
}

TEST_F(DashboardTest, TheDailyReportDueWhileTheDaemonWasDownIsWrittenAtStart) {
    make_versions();
    ASSERT_EQ(stop_daemon(), 0);
    // The last report was three days ago: one is due (once), whatever `at` says.
    const auto reports = dir / "reports";
    std::filesystem::create_directories(reports);
    const std::string three_days_ago = format_utc(system_clock().now() - 72h);
    write_file(vault / "state/reports.json",
               R"({"format": "modelvault-schedule", "version": 1, "last_fire": {"reports": ")" +
                   three_days_ago + "\"}}");
    config["reports"] = {{"at", "06:00"}, {"dir", reports.string()}};
    start_daemon();
    std::vector<std::filesystem::path> written;
    ASSERT_TRUE(wait_until(
        [&] {
            written.clear();
            for (const auto& entry : std::filesystem::directory_iterator(reports)) {
                written.push_back(entry.path());
            }
            return !written.empty();
        },
        30s))
        << daemon_log();
    ASSERT_EQ(written.size(), 1u);
    EXPECT_TRUE(written[0].filename().string().starts_with("modelvault-report-"));
    EXPECT_EQ(written[0].extension(), ".html");
    // The report `modelvaultctl report --html` writes: the same overview and model pages.
    const auto by_ctl = dir / "ctl-report.html";
    ASSERT_EQ(ctl({"report", "--html", by_ctl.string()}).exit_code, 0);
    const std::string text = read_file(written[0]);
    EXPECT_NE(text.find("lab/dqn.pkl"), std::string::npos);
    EXPECT_EQ(text.substr(0, 200), read_file(by_ctl).substr(0, 200));
    EXPECT_NE(read_file(vault / "state/reports.json").find("\"reports\""), std::string::npos);
}

TEST_F(DashboardTest, PagesRenderInChromiumWithoutConsoleErrors) {
    ASSERT_EQ(run({"sh", "-c", "command -v chromium"}).exit_code, 0)
        << "chromium is missing: scripts/deps.sh test installs it";
    make_versions();
    // Headless Chromium opens the address a user is given; the log-in redirect brings it
    // to the page with its session cookie.
    const auto dom = [&](const std::string& path) { return rendered_dom(base_url() + path); };
    const std::string overview = dom(std::string("/?token=") + k_read_token);
    EXPECT_NE(overview.find("Watches"), std::string::npos) << overview;
    EXPECT_NE(overview.find(">lab/dqn.pkl</a>"), std::string::npos) << overview;
    const std::string page = dom(std::string("/models/lab%2Fdqn.pkl?token=") + k_read_token);
    EXPECT_NE(page.find("<h2>lab/dqn.pkl</h2>"), std::string::npos) << page;
    EXPECT_EQ(occurrences(page, "<circle class=\"point "), 3u) << page;
    EXPECT_EQ(occurrences(page, "class=\"best-ring\""), 1u) << page;
}

} // namespace
} // namespace mv::test
