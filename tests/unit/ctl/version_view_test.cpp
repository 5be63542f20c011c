// `modelvaultctl list` and `show` for humans, from results as docs/PROTOCOL.md shows them:
// the columns a list table grows, the sentences for an empty list, and show's fields.
#include <cstdlib>

#include <gtest/gtest.h>

#include "ctl/version_view.hpp"
#include "util/local_time.hpp"

namespace mv::ctl {
namespace {

using nlohmann::json;

class VersionView : public ::testing::Test {
protected:
    // Local times in UTC, so the expected text does not depend on the machine's zone.
    void SetUp() override {
        const char* tz = std::getenv("TZ");
        m_saved_tz = tz != nullptr ? std::optional<std::string>(tz) : std::nullopt;
        ::setenv("TZ", "UTC", 1);
        reload_time_zone();
    }
    void TearDown() override {
        if (m_saved_tz) {
            ::setenv("TZ", m_saved_tz->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        reload_time_zone();
    }

private:
    std::optional<std::string> m_saved_tz;
};

json row(const char* version, json extra = json::object()) {
    json v = {{"model", "lab/dqn.pkl"},   {"version", version}, {"created", "2026-11-22T08:30:00Z"},
              {"trigger", "change"},      {"size", 2048},       {"tags", json::array()},
              {"reason", "first version"}};
    v.update(extra);
    return v;
}

TEST_F(VersionView, EmptyListsSayWhy) {
    const json none = {{"versions", json::array()}};
    EXPECT_EQ(list_text(none, true), "no version matches these filters\n");
    EXPECT_EQ(list_text(none, false), "no versions yet: drop a model file into a watched folder, "
                                      "or run `modelvaultctl backup MODEL`\n");
}

TEST_F(VersionView, PlainTable) {
    const json result = {
        {"versions", {row("1.0.1", {{"tags", {"best", "latest"}}}), row("1.0.0")}}};
    EXPECT_EQ(list_text(result, false),
              "MODEL        VERSION  CREATED              TRIGGER  SIZE     TAGS         REASON\n"
              "lab/dqn.pkl  1.0.1    2026-11-22 08:30:00  change   2.0 KiB  best,latest  first "
              "version\n"
              "lab/dqn.pkl  1.0.0    2026-11-22 08:30:00  change   2.0 KiB               first "
              "version\n");
}

TEST_F(VersionView, ColumnsGrowForStepsMetricsAndNotes) {
    const json result = {
        {"versions",
         {row("1.0.2", {{"checkpoint", {{"name", "ckpt-300"}, {"step", 300}}},
                        {"named_metrics", {{"win_rate", 0.725}}},
                        {"notes", {{{"text", "old"}}, {{"text", "newest"}}}}}),
          row("1.0.1", {{"incomplete", true}, {"metrics_missing", true}, {"note", "at backup"}}),
          row("1.0.0", {{"named_metrics", {{"win_rate", "n/a"}}}})}},
        {"metric_columns", {"win_rate"}}};
    const auto columns = ListColumns::of(result);
    EXPECT_TRUE(columns.steps);
    EXPECT_TRUE(columns.notes);
    EXPECT_EQ(columns.header(),
              (std::vector<std::string>{"MODEL", "VERSION", "STEP", "CREATED", "TRIGGER", "SIZE",
                                        "WIN_RATE", "TAGS", "REASON", "NOTE"}));
    EXPECT_EQ(
        columns.row(result["versions"][0]),
        (std::vector<std::string>{"lab/dqn.pkl", "1.0.2", "300", "2026-11-22 08:30:00", "change",
                                  "2.0 KiB", "0.725", "", "first version", "newest"}));
    EXPECT_EQ(columns.row(result["versions"][1]),
              (std::vector<std::string>{"lab/dqn.pkl", "1.0.1", "-", "2026-11-22 08:30:00",
                                        "change", "2.0 KiB", "-", "INCOMPLETE,NO-METRICS",
                                        "first version", "at backup"}));
    EXPECT_EQ(columns.row(result["versions"][2])[6], "n/a");

    const auto plain = ListColumns::of({{"versions", {row("1.0.0")}}});
    EXPECT_FALSE(plain.steps);
    EXPECT_FALSE(plain.notes);
    EXPECT_TRUE(plain.metrics.empty());
}

json show_result() {
    return json::parse(R"({
      "manifest_file": "/v/manifests/ab.json",
      "manifest": {
        "model": "lab/dqn.pkl", "version": "1.4.0", "sequence": 7, "bump": "minor",
        "parent": "1.3.2", "created": "2026-11-22T08:00:00Z", "trigger": "metric",
        "reason": "win_rate improved", "host": "trainer-1", "tags": ["best"],
        "note": "", "notes": [{"text": "shipped", "user": "ada", "time": "2026-11-22T09:00:00Z",
                               "tags": ["prod"]}],
        "incomplete": false,
        "checkpoint": {"name": "ckpt-300", "step": 300, "epoch": null},
        "storage": {"new_chunks": 2, "new_bytes": 4096, "codec": "zstd", "level": 3,
                    "byte_grouping": true},
        "files": [{"role": "model", "path": "dqn.pkl", "size": 3072, "format": "pickle",
                   "format_mismatch": false, "sha256": "0123456789abcdef0123", "chunk_count": 3},
                  {"role": "sidecar", "path": "config.json", "size": 10, "format": "json",
                   "format_mismatch": true, "sha256": "fedcba9876543210fedc", "chunk_count": 1}],
        "params": {"alpha": 0.1},
        "metrics": {}
      }
    })");
}

TEST_F(VersionView, ShowFields) {
    EXPECT_EQ(show_fields(show_result(), *parse_time("2026-11-22T10:00:00Z")),
              "model     lab/dqn.pkl\n"
              "version   1.4.0 (sequence 7, minor, parent 1.3.2)\n"
              "created   2026-11-22 08:00:00 (2 h ago)\n"
              "trigger   metric — win_rate improved\n"
              "host      trainer-1\n"
              "tags      best\n"
              "note      shipped (ada, 2026-11-22 09:00:00; prod)\n"
              "checkpoint ckpt-300, step 300\n"
              "stored    4 chunks, 2 of them new (4.0 KiB); zstd level 3, floats byte-grouped\n"
              "manifest  /v/manifests/ab.json\n");
}

TEST_F(VersionView, ShowFlagsAVersionToBeWaryOf) {
    json result = show_result();
    result["manifest"]["incomplete"] = true;
    result["manifest"]["metrics_missing"] = true;
    const std::string text = show_fields(result, *parse_time("2026-11-22T10:00:00Z"));
    EXPECT_NE(text.find("warning   the model failed its format's completeness check when it "
                        "was backed up\n"
                        "warning   the metrics its triggers need never came: it is never best\n"),
              std::string::npos);
}

TEST_F(VersionView, ShowTextHasFilesThenNonEmptySections) {
    const json result = show_result();
    const auto now = *parse_time("2026-11-22T10:00:00Z");
    EXPECT_EQ(show_files(result["manifest"]),
              "ROLE     SIZE     FORMAT             SHA-256           PATH\n"
              "model    3.0 KiB  pickle             0123456789abcdef  dqn.pkl\n"
              "sidecar  10 B     json (unexpected)  fedcba9876543210  config.json\n");
    EXPECT_EQ(show_text(result, now), show_fields(result, now) + "\n" +
                                          show_files(result["manifest"]) +
                                          "\nparams\n{\n  \"alpha\": 0.1\n}\n");
}

} // namespace
} // namespace mv::ctl
