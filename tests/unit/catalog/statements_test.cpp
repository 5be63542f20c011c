// The SQL of each catalog event (catalog/statements.hpp), without a server: which
// statements run, with which parameters, and what a malformed event gets. What the SQL
// does to real tables is tested against PostgreSQL in tests/postgres/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/event.hpp"
#include "catalog/schema.hpp"
#include "catalog/statements.hpp"
#include "util/error.hpp"

namespace mv::catalog {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

vault::Manifest minimal_manifest() {
    vault::Manifest m;
    m.model = "lab/dqn.pkl";
    m.watch = "lab";
    m.version = *vault::Version::parse("1.0.0");
    m.host = "trainer-1";
    return m;
}

std::string corrupt_message(const json& event) {
    try {
        statements_for(event);
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::corrupt);
        return error.what();
    }
    ADD_FAILURE() << "accepted " << event.dump();
    return "";
}

TEST(CatalogStatements, AVersionIsUpsertedWithItsNotes) {
    const auto statements = statements_for(versions_event("vault-a", minimal_manifest()));
    ASSERT_EQ(statements.size(), 3u);
    EXPECT_THAT(statements[0].sql, HasSubstr("INSERT INTO modelvault.versions"));
    EXPECT_THAT(statements[0].sql, HasSubstr("ON CONFLICT (vault_id, model, version) DO UPDATE"));
    EXPECT_THAT(statements[0].sql, HasSubstr("v.revision <= EXCLUDED.revision"))
        << "an older revision never overwrites a newer one";
    EXPECT_THAT(statements[0].sql, HasSubstr("modelvault.removals"))
        << "a removed version is never brought back";
    EXPECT_THAT(statements[1].sql, HasSubstr("DELETE FROM modelvault.notes"));
    EXPECT_THAT(statements[2].sql, HasSubstr("INSERT INTO modelvault.notes"));
    for (const auto& statement : statements) {
        ASSERT_EQ(statement.params.size(), 2u);
        EXPECT_EQ(statement.params[0], "vault-a");
        EXPECT_EQ(json::parse(statement.params[1])[0]["model"], "lab/dqn.pkl");
    }
}

TEST(CatalogStatements, ARemovalIsRecordedThenDeleted) {
    const auto statements = statements_for(removal_event(
        "vault-a", minimal_manifest(), "deleted by ana", *parse_time("2026-12-01T00:00:00Z")));
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_THAT(statements[0].sql, HasSubstr("INSERT INTO modelvault.removals"));
    EXPECT_EQ(statements[0].params,
              (std::vector<std::string>{"vault-a", "trainer-1", "lab/dqn.pkl", "1.0.0",
                                        "deleted by ana", "2026-12-01T00:00:00Z"}));
    EXPECT_THAT(statements[1].sql, HasSubstr("DELETE FROM modelvault.versions"));
    EXPECT_EQ(statements[1].params, (std::vector<std::string>{"vault-a", "lab/dqn.pkl", "1.0.0"}));
}

TEST(CatalogStatements, ASyncAlsoRemovesWhatTheVaultNoLongerHolds) {
    const auto statements = statements_for(sync_event("vault-a", {minimal_manifest()}));
    ASSERT_EQ(statements.size(), 4u);
    EXPECT_THAT(statements[3].sql, HasSubstr("DELETE FROM modelvault.versions"));
    EXPECT_THAT(statements[3].sql, HasSubstr("INSERT INTO modelvault.removals"));
    EXPECT_EQ(statements[3].params[0], "vault-a");
}

TEST(CatalogStatements, MalformedEventsAreNamed) {
    EXPECT_THAT(corrupt_message(json::array()), HasSubstr("not a JSON object"));
    EXPECT_THAT(corrupt_message({{"kind", "versions"}}), HasSubstr("\"vault\" is missing"));
    EXPECT_THAT(corrupt_message({{"kind", "versions"}, {"vault", "v"}}),
                HasSubstr("\"rows\" is missing"));
    EXPECT_THAT(corrupt_message({{"kind", "versions"}, {"vault", "v"}, {"rows", {1}}}),
                HasSubstr("a row is not an object"));
    auto row = versions_event("v", minimal_manifest());
    row["rows"][0].erase("created");
    EXPECT_THAT(corrupt_message(row), HasSubstr("\"created\" is missing"));
    EXPECT_THAT(corrupt_message({{"kind", "removal"}, {"vault", "v"}, {"model", "m"}}),
                HasSubstr("\"version\" is missing"));
    EXPECT_THAT(corrupt_message({{"kind", "rename"}, {"vault", "v"}}),
                HasSubstr("unknown kind \"rename\""));
}

TEST(CatalogSchema, EveryVersionHasAMigrationThatRecordsIt) {
    for (int to = 1; to <= k_schema_version; ++to) {
        const std::string sql = migration_to(to);
        EXPECT_THAT(sql, HasSubstr("schema_version")) << "version " << to;
    }
    EXPECT_THROW(migration_to(0), Error);
    EXPECT_THROW(migration_to(k_schema_version + 1), Error);
}

} // namespace
} // namespace mv::catalog
