// The dashboard's review pages (docs/HTTP.md, "Dashboard"): the next prune's plan, the
// diff of two versions and the audit log, from the commands' results, escaped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "web/pages.hpp"
#include "web/review_pages.hpp"

namespace mv::web {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

json dry_run(json versions, std::uint64_t removed) {
    return {{"dry_run", true},
            {"models",
             {{{"model", "lab/<b>.pkl"},
               {"policy", "keep_last 1"},
               {"versions", std::move(versions)},
               {"kept", 1},
               {"removed", removed},
               {"reclaimed_bytes", 3 << 20},
               {"errors", json::array()}}}}};
}

json diff_result() {
    return {
        {"a", {{"model", "lab/<b>.pkl"}, {"version", "1.0.0"}, {"created", "2026-11-30T10:00Z"}}},
        {"b", {{"model", "lab/<b>.pkl"}, {"version", "1.1.0"}, {"created", "2026-11-30T11:00Z"}}},
        {"different_models", false},
        {"shared", {{"bytes", 1024}, {"chunks", 1}, {"bytes_b", 4096}, {"chunks_b", 4}}},
        {"files",
         {{{"member", "model/<w>.pkl"},
           {"member_b", nullptr},
           {"status", "changed"},
           {"size_a", 2048},
           {"size_b", 4096},
           {"identical_blocks", 0.25},
           {"shared_bytes", 1024},
           {"shared_chunks", 1},
           {"chunks_a", 2},
           {"chunks_b", 4}},
          {{"member", "sidecars/config.yaml"},
           {"member_b", nullptr},
           {"status", "same"},
           {"size_a", 10},
           {"size_b", 10},
           {"identical_blocks", nullptr},
           {"shared_bytes", 10},
           {"shared_chunks", 1},
           {"chunks_a", 1},
           {"chunks_b", 1}},
          {{"member", "sidecars/new.json"},
           {"member_b", nullptr},
           {"status", "added"},
           {"size_a", 0},
           {"size_b", 512},
           {"identical_blocks", nullptr},
           {"shared_bytes", 0},
           {"shared_chunks", 0},
           {"chunks_a", 0},
           {"chunks_b", 1}}}},
        {"metrics", {{{"metric", "/eval/win_rate"}, {"a", 0.5}, {"b", 0.75}, {"delta", 0.25}}}},
        {"compat", {{{"key", "torch"}, {"a", "2.1"}, {"b", "<2.2>"}}}}};
}

TEST(ReviewPages, ThePruneSectionListsWhatWouldGoAndWhy) {
    const json versions = {{{"version", "1.1.0"},
                            {"created", "2026-11-30T11:00:00Z"},
                            {"verdict", "keep"},
                            {"reasons", {"last #1", "newest"}}},
                           {{"version", "1.0.0"},
                            {"created", "2026-11-30T10:00:00Z"},
                            {"verdict", "remove"},
                            {"reasons", {"no rule keeps it <really>"}}}};
    const std::string section = prune_section(dry_run(versions, 1));
    EXPECT_THAT(section, HasSubstr("<h2>Next prune</h2>"));
    EXPECT_THAT(section, HasSubstr("Retention: keep_last 1."));
    EXPECT_THAT(section, HasSubstr("It would remove 1 version(s), 3.0 MiB:"));
    EXPECT_THAT(section, HasSubstr("<tr><td>1.0.0</td><td>2026-11-30T10:00:00Z</td>"
                                   "<td>no rule keeps it &lt;really&gt;</td></tr>"));
    // A kept version is not listed.
    EXPECT_THAT(section, Not(HasSubstr("1.1.0")));
    EXPECT_THAT(section, Not(HasSubstr("<really>")));
}

TEST(ReviewPages, ThePruneSectionSaysNothingOrWhoMaySeeIt) {
    const json kept = {{{"version", "1.0.0"},
                        {"created", "2026-11-30T10:00:00Z"},
                        {"verdict", "keep"},
                        {"reasons", {"newest"}}}};
    EXPECT_THAT(prune_section(dry_run(kept, 0)), HasSubstr("It would remove nothing."));
    EXPECT_THAT(prune_section(nullptr), HasSubstr("shown to holders of a write token"));
    EXPECT_THAT(prune_section(nullptr), Not(HasSubstr("<table")));
    // A prune that could not decide says why.
    const json failed = {{"models", {{{"model", "m"}, {"errors", {"cannot read <x>"}}}}}};
    EXPECT_THAT(prune_section(failed), HasSubstr("<p class=\"problem\">cannot read &lt;x&gt;</p>"));
    // The model page carries the section, and the note when the caller may not see it.
    const json list = {{"versions", json::array()}};
    EXPECT_THAT(model_page("m", list, ""), HasSubstr("shown to holders of a write token"));
    EXPECT_THAT(model_page("m", list, "", dry_run(kept, 0)), HasSubstr("remove nothing"));
}

TEST(ReviewPages, TheDiffFormOffersTheModelsVersions) {
    const json rows = {{{"version", "1.1.0"}, {"created", "2026-11-30T11:00:00Z"}},
                       {{"version", "1.0.0"}, {"created", "2026-11-30T10:00:00Z"}}};
    const std::string form = diff_form("lab/<b>.pkl", rows);
    EXPECT_THAT(form, HasSubstr("<form method=\"get\" action=\"/diff\">"));
    // A is the older of the two newest, B the newest.
    EXPECT_THAT(form, HasSubstr("<select name=\"a\"><option value=\"lab/&lt;b&gt;.pkl@1.1.0\">"
                                "1.1.0 (2026-11-30T11:00:00Z)</option><option "
                                "value=\"lab/&lt;b&gt;.pkl@1.0.0\" selected>"));
    EXPECT_THAT(form, HasSubstr("<select name=\"b\"><option value=\"lab/&lt;b&gt;.pkl@1.1.0\" "
                                "selected>"));
    EXPECT_EQ(form.find("<script"), std::string::npos);
    // One version has nothing to compare with.
    EXPECT_EQ(diff_form("m", json::array({rows[0]})), "");
    EXPECT_THAT(model_page("m", {{"versions", rows}}, ""), HasSubstr("Compare two versions"));
}

TEST(ReviewPages, TheDiffPageShowsFilesSizesAndMetricsSideBySide) {
    const std::string page = diff_page(diff_result());
    EXPECT_THAT(page, HasSubstr("<!DOCTYPE html>"));
    EXPECT_THAT(page, HasSubstr("<h2><a href=\"/models/lab%2F%3Cb%3E.pkl\">lab/&lt;b&gt;.pkl</a> "
                                "1.0.0 → <a href=\"/models/lab%2F%3Cb%3E.pkl\">lab/&lt;b&gt;.pkl"
                                "</a> 1.1.0</h2>"));
    EXPECT_THAT(page, HasSubstr("B shares 1.0 KiB of its 4.0 KiB with A"));
    EXPECT_THAT(page, HasSubstr("<tr class=\"changed\"><td>model/&lt;w&gt;.pkl</td><td>changed</td>"
                                "<td class=\"num\">2.0 KiB</td><td class=\"num\">4.0 KiB</td>"
                                "<td class=\"num\">1.0 KiB</td><td class=\"num\">25.0%</td></tr>"));
    EXPECT_THAT(page, HasSubstr("<tr class=\"added\"><td>sidecars/new.json</td><td>added</td>"
                                "<td class=\"num\">—</td><td class=\"num\">512 B</td>"));
    // Identical files are counted, not listed.
    EXPECT_THAT(page, Not(HasSubstr("config.yaml")));
    EXPECT_THAT(page, HasSubstr("1 identical file(s) not shown."));
    EXPECT_THAT(page, HasSubstr("<tr><td>/eval/win_rate</td><td class=\"num\">0.5</td>"
                                "<td class=\"num\">0.75</td><td class=\"num\">0.25</td></tr>"));
    EXPECT_THAT(page, HasSubstr("<td>torch</td><td>2.1</td><td>&lt;2.2&gt;</td>"));
    EXPECT_THAT(page, Not(HasSubstr("<w>")));
}

TEST(ReviewPages, AnEmptyDiffSaysNothingDiffers) {
    json same = diff_result();
    same["files"] = json::array();
    same["metrics"] = json::array();
    same["compat"] = json::array();
    const std::string page = diff_page(same);
    EXPECT_THAT(page, HasSubstr("No file differs."));
    EXPECT_THAT(page, HasSubstr("No metric differs."));
    EXPECT_THAT(page, Not(HasSubstr("Compat values")));
}

TEST(ReviewPages, TheAuditPageListsRecordsNewestFirst) {
    const json audit = {{"file", "/srv/vault/state/audit.jsonl"},
                        {"records",
                         {{{"time", "2026-11-30T10:00:00Z"},
                           {"user", "ana"},
                           {"command", "restore"},
                           {"target", "lab/<b>.pkl@1.0.0 to /tmp/x"},
                           {"result", "ok"},
                           {"via", "socket"}},
                          {{"time", "2026-11-30T11:00:00Z"},
                           {"user", "http read token (line 1 of f)"},
                           {"command", "backup"},
                           {"target", "lab/b.pkl"},
                           {"result", "denied"},
                           {"error", "forbidden: needs <write>"},
                           {"via", "http"}}}}};
    const std::string page = audit_page(audit, {{"user", "a\"na"}});
    EXPECT_THAT(page, HasSubstr("2 record(s) from /srv/vault/state/audit.jsonl"));
    EXPECT_THAT(page, HasSubstr("<td>2026-11-30T10:00:00Z</td><td>ana</td><td>restore</td>"
                                "<td>lab/&lt;b&gt;.pkl@1.0.0 to /tmp/x</td><td class=\"ok\">ok</td>"
                                "<td>socket</td>"));
    EXPECT_THAT(page,
                HasSubstr("<td class=\"problem\">denied: forbidden: needs &lt;write&gt;</td>"));
    EXPECT_LT(page.find("2026-11-30T11:00:00Z"), page.find("2026-11-30T10:00:00Z"));
    // The filter form shows what was asked for, escaped.
    EXPECT_THAT(page, HasSubstr("<input name=\"user\" value=\"a&quot;na\">"));
    EXPECT_THAT(page, Not(HasSubstr("<b>")));
    EXPECT_THAT(audit_page({{"records", json::array()}}, json::object()),
                HasSubstr("No audit record matches."));
}

TEST(ReviewPages, TheOverviewLinksToTheAuditLogButTheReportDoesNot) {
    const json status = {{"vault", {{"path", "/v"}, {"models", 0}, {"versions", 0}}}};
    const json list = {{"versions", json::array()}};
    EXPECT_THAT(overview_page(status, list, [](const std::string& m) { return m; }),
                HasSubstr("<a href=\"/audit\">audit log</a>"));
    EXPECT_THAT(report_page(status, list), Not(HasSubstr("/audit")));
}

} // namespace
} // namespace mv::web
