// The dashboard's review pages through the real daemon and a real HTTP client
// (docs/HTTP.md, "Dashboard"): the diff of two versions, the next prune's plan on the
// model page and the audit log, each shown only to whom the socket would show it.
#include "tests/integration/http_fixture.hpp"
#include "tests/lib/wait.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// lab/dqn.pkl with two backed-up versions (/eval/win_rate 0.5, then 0.6) that keep_last 2
// keeps, and an old copy imported as of 2025 that the next prune would remove.
class ReviewPagesTest : public HttpFixture {
protected:
    void SetUp() override {
        HttpFixture::SetUp();
        config["http"] = {{"listen", "127.0.0.1:0"}, {"tokens_file", tokens.string()}};
        config["watches"][0]["triggers"] = {{"improvement", {{"metric", "/eval/win_rate"}}}};
        config["watches"][0]["retention"] = {{"keep_last", 2}};
    }

    void make_history() {
        start_daemon();
        std::size_t count = 0;
        for (const double win_rate : {0.5, 0.6}) {
            write_model("dqn.metrics.json", json{{"eval", {{"win_rate", win_rate}}}}.dump());
            write_model("dqn.pkl", pickle("weights " + std::to_string(win_rate)));
            ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", ++count));
        }
        write_file(dir / "old.pkl", pickle("last year"));
        const auto imported = ctl({"import", (dir / "old.pkl").string(), "--model", "lab/dqn.pkl",
                                   "--time", "2025-01-01"});
        ASSERT_EQ(imported.exit_code, 0) << imported.err;
        for (const json& row : versions("lab/dqn.pkl")) {
            const std::string created = row["created"];
            (created.starts_with("2025-") ? m_old : m_kept).push_back(row["version"]);
        }
        ASSERT_EQ(m_old.size(), 1u);
        ASSERT_EQ(m_kept.size(), 2u); // newest first
    }

    std::string base_url() {
        if (m_base.empty()) {
            m_base = from_log(R"(serving HTTP on (http://127\.0\.0\.1:\d+)/)");
        }
        return m_base;
    }

    /// GET `path` with `headers` ("Name: value"); {"status", "headers", "body"}.
    json page(const std::string& path, const std::vector<std::string>& headers) {
        std::vector<std::string> args = {"request", "GET", base_url() + path};
        args.insert(args.end(), headers.begin(), headers.end());
        return client(args);
    }
    static std::string bearer(const char* token) {
        return std::string("Authorization: Bearer ") + token;
    }
    /// The Cookie header of a browser session opened with `token`.
    std::string session(const char* token) {
        const json answer = page(std::string("/?token=") + token, {});
        EXPECT_EQ(answer["status"], 303) << answer;
        const std::string set_cookie = answer["headers"].value("Set-Cookie", "");
        return "Cookie: " + set_cookie.substr(0, set_cookie.find(';'));
    }
    std::string diff_path() const {
        return "/diff?a=lab%2Fdqn.pkl%40" + m_kept[1] + "&b=lab%2Fdqn.pkl%40" + m_kept[0];
    }

    std::vector<std::string> m_old;  ///< the imported version
    std::vector<std::string> m_kept; ///< the two backed-up versions, newest first
    std::string m_base;
};

TEST_F(ReviewPagesTest, TheDiffPageShowsTheChangedFileAndMetric) {
    make_history();
    auto answer = page(diff_path(), {bearer(k_read_token)});
    ASSERT_EQ(answer["status"], 200) << answer;
    EXPECT_EQ(answer["headers"]["Content-Type"], "text/html; charset=utf-8");
    const std::string diff = answer["body"];
    EXPECT_NE(diff.find("model/dqn.pkl</td><td>changed</td>"), std::string::npos) << diff;
    EXPECT_NE(diff.find("<tr><td>/eval/win_rate</td><td class=\"num\">0.5</td>"
                        "<td class=\"num\">0.6</td>"),
              std::string::npos)
        << diff;
    // The model page's form opens it: the two versions preset, GET, no script.
    const std::string model = page("/models/lab%2Fdqn.pkl", {bearer(k_read_token)})["body"];
    EXPECT_NE(model.find("<form method=\"get\" action=\"/diff\">"), std::string::npos) << model;
    EXPECT_NE(model.find("<option value=\"lab/dqn.pkl@" + m_kept[1] + "\" selected>"),
              std::string::npos)
        << model;
    // A version that does not exist, or a side left out: an error page that says so.
    answer = page("/diff?a=lab%2Fdqn.pkl%409.9.9&b=lab%2Fdqn.pkl%40" + m_kept[0],
                  {bearer(k_read_token)});
    EXPECT_EQ(answer["status"], 404) << answer;
    EXPECT_NE(answer["body"].get<std::string>().find("9.9.9"), std::string::npos) << answer;
    answer = page("/diff?a=lab%2Fdqn.pkl%40" + m_kept[0], {bearer(k_read_token)});
    EXPECT_EQ(answer["status"], 400);
    EXPECT_NE(answer["body"].get<std::string>().find("query parameter b is missing"),
              std::string::npos)
        << answer;
    EXPECT_NE(answer["body"].get<std::string>().find("<!DOCTYPE html>"), std::string::npos);
    // `b` may name a version of a's model alone, as `modelvaultctl diff A @B`.
    answer =
        page("/diff?a=lab%2Fdqn.pkl%40" + m_kept[1] + "&b=%40" + m_kept[0], {bearer(k_read_token)});
    EXPECT_EQ(answer["status"], 200) << answer;
    EXPECT_NE(answer["body"].get<std::string>().find("model/dqn.pkl</td><td>changed</td>"),
              std::string::npos)
        << answer;
}

TEST_F(ReviewPagesTest, TheModelPageShowsWhatTheNextPruneWouldRemoveToWriteTokens) {
    make_history();
    const std::string removed = "<tr><td>" + m_old[0] + "</td>";
    // A write token, by header or behind a session, sees the plan: the imported version,
    // and why no rule keeps it.
    for (const std::string& writer : {bearer(k_write_token), session(k_write_token)}) {
        const json answer = page("/models/lab%2Fdqn.pkl", {writer});
        ASSERT_EQ(answer["status"], 200) << answer;
        const std::string body = answer["body"];
        EXPECT_NE(body.find("<h2>Next prune</h2><p>Retention: keep last 2"), std::string::npos)
            << body;
        const auto section = body.find("<h2>Next prune</h2>");
        const auto row = body.find(removed, section);
        ASSERT_NE(section, std::string::npos) << body;
        ASSERT_NE(row, std::string::npos) << body;
        EXPECT_NE(body.find("no rule keeps it</td></tr>", row), std::string::npos) << body;
        EXPECT_EQ(body.find("<tr><td>" + m_kept[0] + "</td>", section), std::string::npos);
    }
    // It was a dry run: every version is still there.
    EXPECT_EQ(versions("lab/dqn.pkl").size(), 3u);
    // A read token sees a note instead (a prune, even a dry run, needs write).
    for (const std::string& reader : {bearer(k_read_token), session(k_read_token)}) {
        const std::string body = page("/models/lab%2Fdqn.pkl", {reader})["body"];
        const auto note = body.find("shown to holders of a write token");
        ASSERT_NE(note, std::string::npos) << body;
        EXPECT_EQ(body.find(removed, body.find("<h2>Next prune</h2>")), std::string::npos) << body;
    }
    // Once the version is gone, the plan says the next prune removes nothing.
    ASSERT_EQ(ctl({"prune", "lab/dqn.pkl"}).exit_code, 0);
    const std::string after = page("/models/lab%2Fdqn.pkl", {bearer(k_write_token)})["body"];
    EXPECT_NE(after.find("It would remove nothing."), std::string::npos) << after;
}

TEST_F(ReviewPagesTest, TheAuditLogIsShownToWriteTokensOnly) {
    make_history();
    EXPECT_NE(page("/", {bearer(k_read_token)})["body"].get<std::string>().find(
                  "<a href=\"/audit\">audit log</a>"),
              std::string::npos);
    // The import above is in the log, with its outcome.
    for (const std::string& writer : {bearer(k_write_token), session(k_write_token)}) {
        const json answer = page("/audit", {writer});
        ASSERT_EQ(answer["status"], 200) << answer;
        const std::string body = answer["body"];
        EXPECT_NE(body.find("<td>import</td><td>lab/dqn.pkl"), std::string::npos) << body;
        EXPECT_NE(body.find("<td class=\"ok\">ok</td><td>socket</td>"), std::string::npos) << body;
    }
    // A read token, by header or session: 403, with what it takes.
    for (const std::string& reader : {bearer(k_read_token), session(k_read_token)}) {
        const json answer = page("/audit", {reader});
        EXPECT_EQ(answer["status"], 403) << answer;
        const std::string body = answer["body"];
        EXPECT_NE(body.find("shown to holders of a write token"), std::string::npos) << body;
        EXPECT_EQ(body.find("<td>import</td>"), std::string::npos) << body;
    }
    // The filters are the `audit` command's.
    const std::string none = page("/audit?user=nobody-at-all", {bearer(k_write_token)})["body"];
    EXPECT_NE(none.find("No audit record matches."), std::string::npos) << none;
    EXPECT_NE(none.find("value=\"nobody-at-all\""), std::string::npos) << none;
    // The page's own form, "since" left empty: no filter, not an error.
    const json form = page("/audit?since=&user=", {bearer(k_write_token)});
    EXPECT_EQ(form["status"], 200) << form;
    EXPECT_NE(form["body"].get<std::string>().find("<td>import</td>"), std::string::npos) << form;
    const json bad = page("/audit?since=someday", {bearer(k_write_token)});
    EXPECT_EQ(bad["status"], 400) << bad;
    EXPECT_NE(bad["body"].get<std::string>().find("since:"), std::string::npos) << bad;
    EXPECT_EQ(page("/audit?limit=many", {bearer(k_write_token)})["status"], 400);
}

TEST_F(ReviewPagesTest, TheReviewPagesRenderInChromiumWithoutConsoleErrors) {
    ASSERT_EQ(run({"sh", "-c", "command -v chromium"}).exit_code, 0)
        << "chromium is missing: scripts/deps.sh test installs it";
    make_history();
    // Each address carries its token, as one a user is given: the log-in redirect keeps
    // the page's other parameters.
    const auto dom = [&](const std::string& path) { return rendered_dom(base_url() + path); };
    const std::string model = dom(std::string("/models/lab%2Fdqn.pkl?token=") + k_write_token);
    EXPECT_NE(model.find("Next prune"), std::string::npos) << model;
    EXPECT_NE(model.find("no rule keeps it"), std::string::npos) << model;
    EXPECT_NE(model.find("Compare two versions"), std::string::npos) << model;
    const std::string diff = dom(diff_path() + "&token=" + k_read_token);
    EXPECT_NE(diff.find("/eval/win_rate"), std::string::npos) << diff;
    EXPECT_NE(diff.find("changed"), std::string::npos) << diff;
    const std::string audit = dom(std::string("/audit?token=") + k_write_token);
    EXPECT_NE(audit.find("<h2>Audit log</h2>"), std::string::npos) << audit;
    EXPECT_NE(audit.find("import"), std::string::npos) << audit;
}

} // namespace
} // namespace mv::test
