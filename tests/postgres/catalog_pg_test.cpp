// The catalog's SQL and its sender against a real PostgreSQL server (the fixture
// postgres_server): the schema is created on an empty database and migrated from version
// 1, a newer schema is refused, every event is idempotent, and an outage delays events
// without losing or repeating one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/database.hpp"
#include "catalog/event.hpp"
#include "catalog/schema.hpp"
#include "catalog/sender.hpp"
#include "tests/lib/skip.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/lib/wait.hpp"
#include "tests/postgres/pg_server.hpp"
#include "util/error.hpp"

namespace mv::catalog {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using test::Sql;
using ::testing::HasSubstr;

vault::Manifest version(const std::string& text, std::uint64_t revision = 0) {
    vault::Manifest m;
    m.model = "lab/dqn.pkl";
    m.watch = "lab";
    m.version = *vault::Version::parse(text);
    m.revision = revision;
    m.created = *parse_time("2026-11-30T10:00:00Z");
    m.metrics = {{"win_rate", 0.5}};
    m.params = {{"algorithm", "dqn"}};
    m.host = "trainer-1";
    return m;
}

void deliver(Database& database, const json& event) {
    database.apply(statements_for(event));
}

TEST(CatalogDatabase, CreatesTheSchemaOnAnEmptyDatabase) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_schema_new");
    Database database(server.uri("mv_schema_new"), server.password());
    EXPECT_EQ(database.schema_version(), k_schema_version);
    Sql sql(server, "mv_schema_new");
    EXPECT_EQ(sql.value("SELECT version FROM modelvault.schema_version"), "2");
    EXPECT_EQ(sql.value("SELECT count(*) FROM information_schema.tables "
                        "WHERE table_schema = 'modelvault'"),
              "4");
    Database again(server.uri("mv_schema_new"), server.password());
    EXPECT_EQ(sql.value("SELECT count(*) FROM modelvault.schema_version"), "1")
        << "a second connection changes nothing";
}

TEST(CatalogDatabase, MigratesASchemaOfVersion1AndKeepsItsRows) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_schema_old");
    {
        Sql sql(server, "mv_schema_old");
        sql.exec(migration_to(1));
        sql.exec("INSERT INTO modelvault.versions VALUES ('vault-a', 'trainer-1', 'lab/dqn.pkl', "
                 "'1.0.0', 'lab', '2026-11-30T10:00:00Z', 'change', '{\"win_rate\": 0.4}', "
                 "'{\"alpha\": 0.1}', '{}', '', 1000)");
    }
    Database database(server.uri("mv_schema_old"), server.password());
    EXPECT_EQ(database.schema_version(), 2);
    Sql sql(server, "mv_schema_old");
    EXPECT_EQ(sql.value("SELECT version FROM modelvault.schema_version"), "2");
    EXPECT_EQ(sql.value("SELECT params->>'alpha' || ' ' || revision || ' ' || stored_bytes "
                        "FROM modelvault.versions"),
              "0.1 0 0");
    // The old row takes notes and a newer revision like any other.
    auto newer = version("1.0.0", 1);
    newer.notes.push_back({"kept", {}, 0, "root", *parse_time("2026-11-30T12:00:00Z")});
    deliver(database, versions_event("vault-a", newer));
    EXPECT_EQ(sql.value("SELECT text FROM modelvault.notes"), "kept");
}

TEST(CatalogDatabase, ASchemaNewerThanThisModelvaultIsRefused) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_schema_newer");
    {
        Database database(server.uri("mv_schema_newer"), server.password());
        Sql(server, "mv_schema_newer").exec("UPDATE modelvault.schema_version SET version = 9");
    }
    try {
        Database database(server.uri("mv_schema_newer"), server.password());
        FAIL() << "accepted a newer schema";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::conflict);
        EXPECT_THAT(error.what(), HasSubstr("version 9, newer than this modelvault knows (2); "
                                            "upgrade modelvault"));
    }
}

TEST(CatalogDatabase, EveryEventIsIdempotent) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_idempotent");
    Database database(server.uri("mv_idempotent"), server.password());
    Sql sql(server, "mv_idempotent");
    auto noted = version("1.0.0", 1);
    noted.tags = {"pinned"};
    noted.notes.push_back({"one", {"a"}, 0, "ana", *parse_time("2026-11-30T11:00:00Z")});
    noted.notes.push_back({"two", {}, 0, "bo", *parse_time("2026-11-30T12:00:00Z")});
    for (int i = 0; i < 2; ++i) {
        deliver(database, versions_event("vault-a", noted));
    }
    EXPECT_EQ(sql.value("SELECT count(*) FROM modelvault.versions"), "1");
    EXPECT_EQ(sql.value("SELECT string_agg(text || ':' || user_name || ':' || "
                        "array_to_string(tags, ','), ' ' ORDER BY position) FROM modelvault.notes"),
              "one:ana:a two:bo:");
    EXPECT_EQ(sql.value("SELECT array_to_string(tags, ',') FROM modelvault.versions"), "pinned");
    // An older revision delivered late changes nothing.
    deliver(database, versions_event("vault-a", version("1.0.0", 0)));
    EXPECT_EQ(sql.value("SELECT revision || ' ' || (SELECT count(*) FROM modelvault.notes) "
                        "FROM modelvault.versions"),
              "1 2");
    // A removal, twice; the version's creation replayed after it does not bring it back.
    const auto removal =
        removal_event("vault-a", noted, "deleted by ana", *parse_time("2026-12-01T00:00:00Z"));
    deliver(database, removal);
    deliver(database, removal);
    deliver(database, versions_event("vault-a", noted));
    EXPECT_EQ(sql.value("SELECT count(*) FROM modelvault.versions"), "0");
    EXPECT_EQ(sql.value("SELECT count(*) FROM modelvault.notes"), "0");
    EXPECT_EQ(sql.value("SELECT reason || ' ' || removed FROM modelvault.removals"),
              "deleted by ana 2026-12-01 00:00:00+00");
}

TEST(CatalogDatabase, ASyncRemovesWhatTheVaultNoLongerHolds) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_sync");
    Database database(server.uri("mv_sync"), server.password());
    deliver(database, versions_event("vault-a", version("1.0.0")));
    deliver(database, versions_event("vault-a", version("1.0.1")));
    deliver(database, versions_event("vault-b", version("1.0.0")));
    deliver(database, sync_event("vault-a", {version("1.0.1"), version("1.0.2")}));
    Sql sql(server, "mv_sync");
    EXPECT_EQ(sql.value("SELECT string_agg(vault_id || '/' || version, ' ' ORDER BY vault_id, "
                        "version) FROM modelvault.versions"),
              "vault-a/1.0.1 vault-a/1.0.2 vault-b/1.0.0")
        << "another vault's rows stay";
    EXPECT_EQ(sql.value("SELECT vault_id || '/' || version || ': ' || reason FROM "
                        "modelvault.removals"),
              "vault-a/1.0.0: no longer in the vault when the daemon started");
}

TEST(CatalogSender, AnOutageDelaysEventsAndLosesOrRepeatsNone) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_outage");
    test::TempDir dir("catalog-sender");
    server.stop();
    SenderOptions options{server.uri("mv_outage"), server.password_file, dir / "outbox",
                          std::chrono::milliseconds(50), std::chrono::milliseconds(400)};
    {
        Sender sender(options, system_clock());
        sender.push(versions_event("vault-a", version("1.0.0")));
        sender.push(versions_event("vault-a", version("1.0.1")));
        ASSERT_TRUE(test::wait_until([&] { return !sender.status().last_error.empty(); }, 30s));
        const auto down = sender.status();
        EXPECT_EQ(down.pending_events, 2u);
        EXPECT_FALSE(down.connected);
        EXPECT_THAT(down.last_error, HasSubstr("cannot connect to the catalog database"));
    }
    // A restart in the middle of the outage: the outbox is on disk.
    Sender sender(options, system_clock());
    sender.push(removal_event("vault-a", version("1.0.0"), "retention",
                              *parse_time("2026-12-01T00:00:00Z")));
    EXPECT_EQ(sender.status().pending_events, 3u);
    server.start();
    ASSERT_TRUE(test::wait_until([&] { return sender.status().pending_events == 0; }, 60s))
        << sender.status().last_error;
    const auto up = sender.status();
    EXPECT_TRUE(up.connected);
    EXPECT_EQ(up.delivered_events, 3u);
    EXPECT_TRUE(up.last_error.empty());
    EXPECT_EQ(up.schema_version, k_schema_version);
    Sql sql(server, "mv_outage");
    EXPECT_EQ(sql.value("SELECT string_agg(version, ' ') FROM modelvault.versions"), "1.0.1");
    EXPECT_EQ(sql.value("SELECT count(*) FROM modelvault.removals"), "1");
    EXPECT_TRUE(std::filesystem::is_empty(dir / "outbox" / "rejected"));
}

TEST(CatalogSender, APasswordFileOthersCanReadIsRefusedUntilFixed) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_password");
    test::TempDir dir("catalog-sender");
    const auto password = dir / "password";
    std::filesystem::copy_file(server.password_file, password);
    std::filesystem::permissions(password, std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    Sender sender({server.uri("mv_password"), password, dir / "outbox",
                   std::chrono::milliseconds(50), std::chrono::milliseconds(200)},
                  system_clock());
    sender.push(versions_event("vault-a", version("1.0.0")));
    ASSERT_TRUE(test::wait_until([&] { return !sender.status().last_error.empty(); }, 30s));
    EXPECT_THAT(sender.status().last_error, HasSubstr("run `chmod 600 " + password.string()));
    std::filesystem::permissions(password, std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::remove);
    ASSERT_TRUE(test::wait_until([&] { return sender.status().pending_events == 0; }, 30s))
        << sender.status().last_error;
}

TEST(CatalogSender, AnEventThatIsNotOneIsSetAsideAndTheRestFlows) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_rejected");
    test::TempDir dir("catalog-sender");
    Sender sender({server.uri("mv_rejected"), server.password_file, dir / "outbox"},
                  system_clock());
    sender.push(json{{"kind", "rename"}, {"vault", "vault-a"}});
    sender.push(versions_event("vault-a", version("1.0.0")));
    ASSERT_TRUE(test::wait_until([&] { return sender.status().pending_events == 0; }, 30s));
    EXPECT_EQ(sender.status().rejected_events, 1u);
    EXPECT_TRUE(std::filesystem::exists(dir / "outbox" / "rejected" / "00000000000000000001.json"));
    EXPECT_EQ(Sql(server, "mv_rejected").value("SELECT count(*) FROM modelvault.versions"), "1");
}

} // namespace
} // namespace mv::catalog
