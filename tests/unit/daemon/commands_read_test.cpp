// The commands that read: version, status, reload, list, show, history, stats, audit —
// called through the registry on FakeServices, no daemon and no socket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "tests/unit/daemon/fake_services.hpp"

namespace mv::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ReadCommandsTest : public ::testing::Test {
protected:
    FakeServices services;
};

TEST_F(ReadCommandsTest, VersionSaysTheProtocolVersion) {
    const auto r = services.answer("version", json::object());
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["protocol"], 1);
    EXPECT_TRUE(r->result["version"].is_string());
}

TEST_F(ReadCommandsTest, StatusShowsTheSnapshotTheVaultAndTheWatches) {
    services.save("m.pkl", "one");
    services.snapshot.started = services.clock().now() - std::chrono::minutes(5);
    services.snapshot.served_socket = "/run/test.sock";
    watcher::WatchStatus watch;
    watch.name = "w";
    watch.path = services.models();
    watch.state = watcher::WatchState::watching;
    services.snapshot.watches.push_back({watch, services.clock().now() + std::chrono::hours(1)});
    const auto r = services.answer("status", json::object());
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["daemon"]["socket"], "/run/test.sock");
    EXPECT_EQ(r->result["daemon"]["uptime_seconds"], 300);
    EXPECT_EQ(r->result["vault"]["versions"], 1);
    ASSERT_EQ(r->result["watches"].size(), 1u);
    EXPECT_EQ(r->result["watches"][0]["name"], "w");
    EXPECT_EQ(r->result["watches"][0]["state"], "watching");
    EXPECT_EQ(r->result["watches"][0]["next_run"], "2026-11-22T09:00:00Z");
    EXPECT_EQ(r->result["replicas"], json::array());
    EXPECT_TRUE(r->result["catalog"].is_null());
    EXPECT_TRUE(r->result["last_error"].is_null());
}

TEST_F(ReadCommandsTest, ReloadCallsTheHookAndAnswersWithTheConfig) {
    const auto r = services.answer("reload", json::object());
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(services.reloads, 1);
    EXPECT_EQ(r->result["reloaded"], true);
    EXPECT_EQ(r->result["watches"], 1);
}

TEST_F(ReadCommandsTest, ARejectedReloadSaysTheOldConfigStays) {
    services.reload_error.emplace("/etc/mv.json",
                                  std::vector<config::Problem>{{"vault", "expected a string"}});
    const auto r = services.answer("reload", json::object());
    ASSERT_FALSE(r->ok);
    EXPECT_EQ(r->code, ErrorCode::invalid_config);
    EXPECT_THAT(r->message, HasSubstr("the running one stays in effect"));
    EXPECT_THAT(r->message, HasSubstr("vault: expected a string"));
}

TEST_F(ReadCommandsTest, ListShowsVersionsNewestFirst) {
    services.save("m.pkl", "one");
    services.fake_clock().advance(std::chrono::hours(1));
    services.save("m.pkl", "two");
    const auto r = services.answer("list", {{"model", "w/m.pkl"}});
    ASSERT_TRUE(r->ok) << r->message;
    ASSERT_EQ(r->result["versions"].size(), 2u);
    EXPECT_EQ(r->result["versions"][0]["version"], "1.0.1");
    EXPECT_EQ(r->result["versions"][1]["version"], "1.0.0");
    const auto page = services.answer("list", {{"limit", 1u}, {"offset", 1u}});
    ASSERT_TRUE(page->ok) << page->message;
    ASSERT_EQ(page->result["versions"].size(), 1u);
    EXPECT_EQ(page->result["versions"][0]["version"], "1.0.0");
}

TEST_F(ReadCommandsTest, ListRefusesBadArguments) {
    const auto limit = services.answer("list", {{"limit", "ten"}});
    EXPECT_EQ(limit->code, ErrorCode::invalid_argument);
    EXPECT_THAT(limit->message, HasSubstr("\"limit\" must be a non-negative integer"));
    const auto since = services.answer("list", {{"since", "yesterday"}});
    EXPECT_EQ(since->code, ErrorCode::invalid_argument);
    const auto model = services.answer("list", {{"model", "nowhere"}});
    EXPECT_EQ(model->code, ErrorCode::not_found);
}

TEST_F(ReadCommandsTest, ShowAnswersWithTheManifestAndItsFile) {
    services.save("m.pkl", "one");
    const auto r = services.answer("show", {{"target", "w/m.pkl@1.0.0"}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["manifest"]["model"], "w/m.pkl");
    EXPECT_EQ(r->result["manifest"]["version"], "1.0.0");
    EXPECT_TRUE(std::filesystem::exists(r->result["manifest_file"].get<std::string>()));
}

TEST_F(ReadCommandsTest, ShowOfAnUnknownModelSaysTheVaultIsEmpty) {
    const auto r = services.answer("show", {{"target", "w/none.pkl"}});
    ASSERT_FALSE(r->ok);
    EXPECT_EQ(r->code, ErrorCode::not_found);
    EXPECT_THAT(r->message, HasSubstr("the vault is empty"));
    EXPECT_EQ(services.answer("show", json::object())->code, ErrorCode::invalid_argument);
}

TEST_F(ReadCommandsTest, HistoryShowsThePointers) {
    services.save("m.pkl", "one");
    services.save("m.pkl", "two");
    const auto first = vault::Version::parse("1.0.0");
    services.vault().move_pointer("w/m.pkl", vault::Pointer::current, first, "test", 0);
    services.fake_clock().advance(std::chrono::minutes(1));
    services.vault().move_pointer("w/m.pkl", vault::Pointer::current,
                                  vault::Version::parse("1.0.1"), "test again", 7);
    const auto r = services.answer("history", {{"target", "w/m.pkl"}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["model"], "w/m.pkl");
    EXPECT_EQ(r->result["current"], "1.0.1");
    const json& history = r->result["history"];
    ASSERT_EQ(history.size(), 2u) << history.dump();
    EXPECT_EQ(history[0]["pointer"], "current");
    EXPECT_TRUE(history[0]["from"].is_null()) << "current was unset";
    EXPECT_EQ(history[0]["to"], "1.0.0");
    EXPECT_EQ(history[0]["reason"], "test");
    EXPECT_EQ(history[0]["time"], "2026-11-22T08:00:00Z");
    EXPECT_EQ(history[1]["pointer"], "current");
    EXPECT_EQ(history[1]["from"], "1.0.0");
    EXPECT_EQ(history[1]["to"], "1.0.1");
    EXPECT_EQ(history[1]["reason"], "test again");
    EXPECT_EQ(history[1]["uid"], 7);
    EXPECT_EQ(history[1]["time"], "2026-11-22T08:01:00Z");
    EXPECT_EQ(services.answer("history", {{"target", "w/x.pkl"}})->code, ErrorCode::not_found);
}

TEST_F(ReadCommandsTest, StatsCountsVersionsAtTheClocksTime) {
    services.save("m.pkl", "one");
    const auto r = services.answer("stats", {{"scope", "w"}});
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["scope"], "w");
    EXPECT_EQ(r->result["generated"], "2026-11-22T08:00:00Z");
    const auto bad = services.answer("stats", {{"over", "month"}});
    EXPECT_EQ(bad->code, ErrorCode::invalid_argument);
    EXPECT_THAT(bad->message, HasSubstr("not day or week"));
}

TEST_F(ReadCommandsTest, AuditReadsTheLogOfTheVault) {
    const auto r = services.answer("audit", json::object());
    ASSERT_TRUE(r->ok) << r->message;
    EXPECT_EQ(r->result["records"], json::array());
    EXPECT_THAT(r->result["file"].get<std::string>(), HasSubstr("audit.jsonl"));
    const auto bad = services.answer("audit", {{"limit", 0u}});
    EXPECT_EQ(bad->code, ErrorCode::invalid_argument);
    EXPECT_THAT(bad->message, HasSubstr("limit must be from 1 to"));
    EXPECT_EQ(services.answer("audit", {{"since", "soon"}})->code, ErrorCode::invalid_argument);
}

} // namespace
} // namespace mv::test
