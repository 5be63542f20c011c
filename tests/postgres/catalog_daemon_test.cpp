// The real daemon with a shared catalog (docs/catalog.md) on the fixture's PostgreSQL
// server: versions, notes, tags and removals appear; an outage (with a SIGKILL in it)
// delays them and loses or repeats none; two daemons' vaults share one database.
#include <csignal>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ipc/client.hpp"
#include "tests/integration/daemon_fixture.hpp"
#include "tests/lib/skip.hpp"
#include "tests/lib/wait.hpp"
#include "tests/postgres/pg_server.hpp"

namespace mv::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

class CatalogDaemonTest : public DaemonTest {
protected:
    void use_catalog(const PgServer& server, const std::string& database) {
        fresh_database(server, database);
        config["catalog"] = {{"postgresql", server.uri(database)},
                             {"password_file", server.password_file.string()}};
    }

    json catalog_status() { return ctl_json({"status"})["catalog"]; }

    /// Waits until the outbox is empty; false on timeout.
    bool wait_delivered(std::chrono::seconds timeout = 60s) {
        return wait_until(
            [&] {
                const auto status = catalog_status();
                return status.is_object() && status["pending_events"] == 0 &&
                       status["connected"] == true;
            },
            timeout, 100ms);
    }
};

TEST_F(CatalogDaemonTest, VersionsNotesTagsAndRemovalsAppear) {
    MV_NEED_POSTGRES(server);
    use_catalog(server, "mv_daemon_basic");
    config["watches"][0]["params_file"] = "{stem}.params.json";
    start_daemon();
    write_model("dqn.params.json", R"({"algorithm": "dqn", "alpha": 0.1})");
    write_model("dqn.pkl", pickle("one"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    write_model("dqn.pkl", pickle("two"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 2));
    ASSERT_EQ(ctl({"note", "lab/dqn.pkl@1.0.0", "diverged", "--tag", "lr"}).exit_code, 0);
    ASSERT_EQ(ctl({"tag", "lab/dqn.pkl@1.0.0", "add", "pinned"}).exit_code, 0);
    ASSERT_EQ(ctl({"delete", "lab/dqn.pkl@1.0.1", "--force"}).exit_code, 0);
    ASSERT_TRUE(wait_delivered()) << catalog_status().dump();

    Sql sql(server, "mv_daemon_basic");
    const auto rows = sql.rows(
        "SELECT version, params->>'algorithm', params->>'alpha', array_to_string(tags, ','), "
        "revision, size_bytes > 0, watch, trigger FROM modelvault.versions");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"1.0.0", "dqn", "0.1", "pinned", "2", "t", "lab",
                                                 "change"}));
    EXPECT_EQ(sql.value("SELECT text || ' ' || array_to_string(tags, ',') FROM modelvault.notes"),
              "diverged lr");
    EXPECT_THAT(sql.value("SELECT version || ' ' || reason FROM modelvault.removals"),
                ::testing::StartsWith("1.0.1 deleted with modelvaultctl delete"));
    const auto status = catalog_status();
    EXPECT_EQ(status["schema_version"], 2);
    EXPECT_EQ(status["last_error"], nullptr);
    EXPECT_EQ(status["vault_id"], sql.value("SELECT DISTINCT vault_id FROM modelvault.versions"));
    EXPECT_THAT(ctl({"status"}).out, ::testing::HasSubstr("catalog (postgresql://postgres@/"
                                                          "mv_daemon_basic"));
}

TEST_F(CatalogDaemonTest, AnOutageWithACrashInItLosesAndRepeatsNothing) {
    MV_NEED_POSTGRES(server);
    use_catalog(server, "mv_daemon_outage");
    start_daemon();
    write_model("a.pkl", pickle("one"));
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 1));
    ASSERT_TRUE(wait_delivered());

    server.stop();
    // Backups do not wait for the database.
    write_model("a.pkl", pickle("two"));
    ASSERT_TRUE(wait_for_versions("lab/a.pkl", 2, 30s));
    write_model("b.pkl", pickle("three"));
    ASSERT_TRUE(wait_for_versions("lab/b.pkl", 1, 30s));
    ASSERT_TRUE(wait_until([&] { return !catalog_status()["last_error"].is_null(); }, 30s));
    const auto down = catalog_status();
    EXPECT_GE(down["pending_events"].get<int>(), 2) << down.dump();
    EXPECT_EQ(down["connected"], false);
    EXPECT_THAT(ctl({"status"}).out, ::testing::HasSubstr("event(s) waiting"));
    kill_daemon();

    server.start();
    start_daemon();
    ASSERT_TRUE(wait_delivered()) << catalog_status().dump();
    Sql sql(server, "mv_daemon_outage");
    EXPECT_EQ(sql.value("SELECT string_agg(model || '@' || version, ' ' ORDER BY model, version) "
                        "FROM modelvault.versions"),
              "lab/a.pkl@1.0.0 lab/a.pkl@1.0.1 lab/b.pkl@1.0.0");
    EXPECT_EQ(sql.value("SELECT count(*) FROM modelvault.removals"), "0");
}

TEST_F(CatalogDaemonTest, TwoDaemonsShareOneDatabase) {
    MV_NEED_POSTGRES(server);
    use_catalog(server, "mv_daemon_fleet");
    start_daemon();
    // A second machine: its own vault, watched folder and socket.
    const auto second = dir / "second";
    std::filesystem::create_directories(second / "models");
    json other = config;
    other["vault"] = (second / "vault").string();
    other["socket"] = (second / "mv.sock").string();
    other["watches"][0]["path"] = (second / "models").string();
    std::ofstream(second / "config.json") << other.dump(2);
    Child daemon_b({binary("modelvaultd"), "--config", (second / "config.json").string()},
                   second / "daemon.log", daemon_env);
    ASSERT_TRUE(wait_until(
        [&] {
            try {
                return ipc::Client::connect(second / "mv.sock").call("version", {}, {}, 2s).ok();
            } catch (const Error&) {
                return false;
            }
        },
        30s));
    write_model("dqn.pkl", pickle("machine a"));
    write_file(second / "models" / "dqn.pkl", pickle("machine b"));
    write_file(second / "models" / "ppo.pkl", pickle("machine b, ppo"));
    ASSERT_TRUE(wait_for_versions("lab/dqn.pkl", 1));
    Sql sql(server, "mv_daemon_fleet");
    ASSERT_TRUE(wait_until(
        [&] { return sql.value("SELECT count(*) FROM modelvault.versions") == "3"; }, 60s))
        << read_file(second / "daemon.log");
    EXPECT_EQ(sql.value("SELECT count(DISTINCT vault_id) FROM modelvault.versions"), "2");
    EXPECT_EQ(sql.value("SELECT string_agg(n::text, ' ' ORDER BY n) FROM (SELECT count(*) AS n "
                        "FROM modelvault.versions GROUP BY vault_id) AS per_vault"),
              "1 2");
    daemon_b.signal(SIGTERM);
    EXPECT_TRUE(daemon_b.wait(30s).has_value());
}

} // namespace
} // namespace mv::test
