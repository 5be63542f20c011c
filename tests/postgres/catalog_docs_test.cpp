// docs/catalog.md stays true: every SQL query it shows runs against the real server on
// the fleet it describes (two trainers, built here from catalog events as the daemons
// send them), and prints exactly the result the page shows under it.
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "catalog/database.hpp"
#include "catalog/event.hpp"
#include "tests/lib/skip.hpp"
#include "tests/postgres/pg_server.hpp"

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

struct Example {
    std::string sql;
    std::string result; ///< the ```text block under it: rows, values joined by " | "
};

std::vector<Example> examples_in_docs() {
    std::ifstream in(std::string(MV_SOURCE_DIR) + "/docs/catalog.md");
    EXPECT_TRUE(in.good()) << "cannot read docs/catalog.md";
    std::vector<Example> examples;
    std::string line;
    std::string* block = nullptr;
    while (std::getline(in, line)) {
        if (block != nullptr) {
            if (line == "```") {
                block = nullptr;
            } else {
                *block += line + "\n";
            }
        } else if (line == "```sql") {
            block = &examples.emplace_back().sql;
        } else if (line == "```text" && !examples.empty() && examples.back().result.empty()) {
            block = &examples.back().result;
        }
    }
    return examples;
}

vault::Manifest run(const std::string& host, const std::string& model, const std::string& version,
                    const std::string& created, const json& params, double win_rate) {
    vault::Manifest m;
    m.model = model;
    m.watch = "lab";
    m.host = host;
    m.version = *vault::Version::parse(version);
    m.created = *parse_time(created);
    m.params = params;
    m.metrics = {{"win_rate", win_rate}};
    m.files.push_back(file("model.pkl", vault::FileRole::model, 1000));
    return m;
}

// The fleet docs/catalog.md describes ("The examples").
void build_fleet(Database& database) {
    const auto apply = [&](const json& event) { database.apply(statements_for(event)); };
    auto best = run("trainer-1", "taxi/dqn.pkl", "1.0.2", "2026-11-30T11:00:00Z",
                    {{"algorithm", "dqn"}, {"alpha", 0.05}, {"gamma", 0.99}}, 0.61);
    best.notes.push_back(
        {"shipped to the depot", {"release"}, 1000, "ana", *parse_time("2026-11-30T12:00:00Z")});
    apply(sync_event("a1", {run("trainer-1", "taxi/dqn.pkl", "1.0.0", "2026-11-28T09:00:00Z",
                                {{"algorithm", "dqn"}, {"alpha", 0.1}, {"gamma", 0.9}}, 0.42),
                            run("trainer-1", "taxi/dqn.pkl", "1.0.1", "2026-11-29T10:00:00Z",
                                {{"algorithm", "dqn"}, {"alpha", 0.05}, {"gamma", 0.9}}, 0.55),
                            best}));
    const auto dropped = run("trainer-2", "taxi/ppo.pkl", "0.9.0", "2026-11-27T08:00:00Z",
                             {{"algorithm", "ppo"}, {"alpha", 0.3}}, 0.2);
    apply(sync_event("b2", {dropped,
                            run("trainer-2", "taxi/ppo.pkl", "1.0.0", "2026-11-28T15:00:00Z",
                                {{"algorithm", "ppo"}, {"alpha", 0.1}}, 0.48),
                            run("trainer-2", "taxi/ppo.pkl", "1.1.0", "2026-11-30T16:00:00Z",
                                {{"algorithm", "ppo"}, {"alpha", 0.2}}, 0.58)}));
    apply(removal_event("b2", dropped, "retention: keep_last 2",
                        *parse_time("2026-11-30T16:00:05Z")));
}

std::string printed(const std::vector<std::vector<std::string>>& rows) {
    std::string out;
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            out += (i == 0 ? "" : " | ") + row[i];
        }
        out += "\n";
    }
    return out;
}

TEST(CatalogDocs, EveryQueryPrintsWhatThePageShows) {
    MV_NEED_POSTGRES(server);
    test::fresh_database(server, "mv_docs");
    {
        Database database(server.uri("mv_docs"), server.password());
        build_fleet(database);
    }
    const auto examples = examples_in_docs();
    ASSERT_GE(examples.size(), 5u) << "docs/catalog.md lost its examples";
    test::Sql sql(server, "mv_docs");
    sql.exec("SET TIME ZONE 'UTC'");
    for (const auto& example : examples) {
        EXPECT_FALSE(example.result.empty())
            << "no ```text result under this query in docs/catalog.md:\n"
            << example.sql;
        EXPECT_EQ(printed(sql.rows(example.sql)), example.result) << example.sql;
    }
}

} // namespace
} // namespace mv::catalog
