// Catalog events (catalog/event.hpp) carry what the tables need from a manifest.
#include <gtest/gtest.h>

#include "catalog/event.hpp"

namespace mv::catalog {
namespace {

using json = nlohmann::json;

vault::FileEntry file(const std::string& path, vault::FileRole role, std::uint64_t size) {
    vault::FileEntry entry;
    entry.path = path;
    entry.role = role;
    entry.size = size;
    return entry;
}

vault::Manifest full_manifest() {
    vault::Manifest m;
    m.model = "lab/dqn.pkl";
    m.watch = "lab";
    m.version = *vault::Version::parse("1.2.0");
    m.sequence = 3;
    m.revision = 2;
    m.created = *parse_time("2026-11-30T10:00:00Z");
    m.trigger = vault::Trigger::improvement;
    m.reason = "win_rate improved";
    m.metrics = {{"win_rate", 0.61}};
    m.params = {{"algorithm", "dqn"}, {"alpha", 0.1}};
    m.tags = {"best", "prod"};
    m.note = "first try";
    m.notes.push_back({"looks good", {"review"}, 1000, "ana", *parse_time("2026-11-30T11:00:00Z")});
    m.host = "trainer-1";
    m.files.push_back(file("dqn.pkl", vault::FileRole::model, 1000));
    m.files.push_back(file("log.txt", vault::FileRole::sidecar, 24));
    m.storage.new_bytes = 700;
    return m;
}

TEST(CatalogEvent, AVersionRowHasEveryColumn) {
    const json row = version_row(full_manifest());
    EXPECT_EQ(row["model"], "lab/dqn.pkl");
    EXPECT_EQ(row["version"], "1.2.0");
    EXPECT_EQ(row["watch"], "lab");
    EXPECT_EQ(row["host"], "trainer-1");
    EXPECT_EQ(row["sequence"], 3);
    EXPECT_EQ(row["revision"], 2);
    EXPECT_EQ(row["created"], "2026-11-30T10:00:00Z");
    EXPECT_EQ(row["trigger"], "improvement");
    EXPECT_EQ(row["reason"], "win_rate improved");
    EXPECT_EQ(row["metrics"], (json{{"win_rate", 0.61}}));
    EXPECT_EQ(row["params"]["algorithm"], "dqn");
    EXPECT_EQ(row["tags"], (json{"best", "prod"}));
    EXPECT_EQ(row["note"], "first try");
    ASSERT_EQ(row["notes"].size(), 1u);
    EXPECT_EQ(row["notes"][0]["text"], "looks good");
    EXPECT_EQ(row["notes"][0]["tags"], json{"review"});
    EXPECT_EQ(row["notes"][0]["user"], "ana");
    EXPECT_EQ(row["notes"][0]["time"], "2026-11-30T11:00:00Z");
    EXPECT_EQ(row["size_bytes"], 1024) << "model files and sidecars";
    EXPECT_EQ(row["stored_bytes"], 700);
}

TEST(CatalogEvent, KindsAndKeys) {
    const auto created = versions_event("v1", full_manifest());
    EXPECT_EQ(kind_of(created), "versions");
    EXPECT_EQ(created["vault"], "v1");
    EXPECT_EQ(created["rows"].size(), 1u);
    const auto removed = removal_event("v1", full_manifest(), "retention: keep_last 3",
                                       *parse_time("2026-12-01T00:00:00Z"));
    EXPECT_EQ(kind_of(removed), "removal");
    EXPECT_EQ(removed["model"], "lab/dqn.pkl");
    EXPECT_EQ(removed["version"], "1.2.0");
    EXPECT_EQ(removed["host"], "trainer-1");
    EXPECT_EQ(removed["reason"], "retention: keep_last 3");
    EXPECT_EQ(removed["removed"], "2026-12-01T00:00:00Z");
    const auto sync = sync_event("v1", {full_manifest(), full_manifest()});
    EXPECT_EQ(kind_of(sync), "sync");
    EXPECT_EQ(sync["rows"].size(), 2u);
    EXPECT_EQ(kind_of(json::array()), "");
    EXPECT_EQ(kind_of(json{{"kind", 3}}), "");
}

TEST(CatalogEvent, MetricsAndParamsAreAlwaysObjects) {
    auto m = full_manifest();
    m.metrics = nullptr;
    m.params = json::array();
    const json row = version_row(m);
    EXPECT_EQ(row["metrics"], json::object());
    EXPECT_EQ(row["params"], json::object());
}

} // namespace
} // namespace mv::catalog
