// The dashboard's pages from the commands' results: what an admin must see, escaped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "web/pages.hpp"

namespace mv::web {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json list() {
    return {{"versions",
             {{{"model", "lab/<b>.pkl"},
               {"version", "1.0.0"},
               {"created", "2026-11-30T10:00:00Z"},
               {"trigger", "change"},
               {"bump", "initial"},
               {"tags", {"best", "prod"}},
               {"size", 2048},
               {"stored", 1024},
               {"metrics", {{"acc", 0.9}}},
               {"reason", "first backup of the model"},
               {"notes", {{{"text", "diverged <early>"}, {"tags", {"lr"}}, {"user", "ana"}}}}}}}};
}

TEST(Pages, TheOverviewShowsTheVaultTheWatchesAndTheModels) {
    const json status = {
        {"vault",
         {{"path", "/srv/vault"},
          {"models", 1},
          {"versions", 1},
          {"stored_bytes", 1024},
          {"free_bytes", 1 << 20},
          {"disk_low", true},
          {"damaged", json::array()}}},
        {"watches",
         {{{"name", "lab"},
           {"path", "/srv/models"},
           {"state", "watching"},
           {"models", 1},
           {"message", ""},
           {"next_run", nullptr},
           {"last_backup",
            {{"model", "lab/<b>.pkl"}, {"version", "1.0.0"}, {"time", "2026-11-30T10:00:00Z"}}}}}},
        {"replicas",
         {{{"name", "offsite"},
           {"where", "s3://lab/trainer-1/"},
           {"pending_versions", 2},
           {"pending_bytes", 3 << 20},
           {"oldest_pending_age_seconds", 200},
           {"last_success", "2026-11-30T09:30:00Z"},
           {"last_error", "PUT packs/1 failed: <refused>"}}}},
        {"last_error", {{"time", "2026-11-30T09:00:00Z"}, {"message", "disk full"}}}};
    const std::string page =
        overview_page(status, list(), [](const std::string& model) { return "/models/" + model; });
    EXPECT_THAT(page, HasSubstr("<!DOCTYPE html>"));
    EXPECT_THAT(page,
                HasSubstr("1 models, 1 versions, 1.0 KiB stored, 1.0 MiB free in /srv/vault"));
    EXPECT_THAT(page, HasSubstr("<td>lab</td><td>/srv/models</td><td>watching</td>"));
    EXPECT_THAT(page, HasSubstr("<a href=\"/models/lab/&lt;b&gt;.pkl\">lab/&lt;b&gt;.pkl</a>"));
    EXPECT_THAT(page, HasSubstr("disk full"));
    EXPECT_THAT(page, HasSubstr("below warn_free_below"));
    // How far the replica is behind, and why.
    EXPECT_THAT(page, HasSubstr("<td>offsite</td><td>s3://lab/trainer-1/</td><td class=\"num\">2"
                                "</td><td class=\"num\">3.0 MiB</td><td>3 min 20 s</td>"
                                "<td>2026-11-30T09:30:00Z</td>"));
    EXPECT_THAT(page, HasSubstr("PUT packs/1 failed: &lt;refused&gt;"));
    EXPECT_EQ(page.find("<b>.pkl"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(Pages, TheModelPageHasTheChartAndTheVersions) {
    const std::string page = model_page("lab/<b>.pkl", list(), "");
    EXPECT_THAT(page, HasSubstr("<h2>lab/&lt;b&gt;.pkl</h2>"));
    EXPECT_THAT(page, HasSubstr("class=\"point trigger-change\""));
    EXPECT_THAT(page, HasSubstr("<span class=\"tag tag-best\">best</span>"));
    EXPECT_THAT(page, HasSubstr("<td class=\"num\">0.9</td><td class=\"num\">2.0 KiB</td>"));
    // Notes in the versions table, escaped, with their labels.
    EXPECT_THAT(page, HasSubstr("<td class=\"notes\"><p class=\"note\">diverged &lt;early&gt;<span "
                                "class=\"tag tag-lr\">lr</span></p></td>"));
    // The chart shows the first metric that moves: a constant one makes a flat line.
    json two = list();
    two["versions"][0]["metrics"] = {{"a_steps", 5}, {"win", 0.5}};
    two["versions"].push_back(two["versions"][0]);
    two["versions"][1]["metrics"] = {{"a_steps", 5}, {"win", 0.7}};
    EXPECT_THAT(model_page("m", two, ""), HasSubstr("<b>/win</b>"));
    // A metric that is not a JSON pointer shows no values, and says so.
    EXPECT_THAT(model_page("m", list(), "acc"), HasSubstr("No version recorded the metric acc."));
}

} // namespace
} // namespace mv::web
