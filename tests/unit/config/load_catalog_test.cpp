// `catalog` (docs/CONFIG.md): what it accepts and the problem each bad value gets, with
// its key path. A password may not be written into the URI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using test::parse_ok;
using test::problems_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string with_catalog(const std::string& members) {
    return R"({"catalog": {)" + members + "}}";
}

TEST(CatalogConfig, IsOffUnlessConfigured) {
    EXPECT_FALSE(parse_ok("{}").catalog);
}

TEST(CatalogConfig, EveryKeyIsRead) {
    const Config config = parse_ok(with_catalog(
        R"("postgresql": "postgresql://mv@db.lab/models?host=/run/pg", "password_file": "pw")"));
    ASSERT_TRUE(config.catalog);
    EXPECT_EQ(config.catalog->postgresql, "postgresql://mv@db.lab/models?host=/run/pg");
    EXPECT_EQ(config.catalog->password_file, "/etc/modelvault/pw") << "relative to the config";
    EXPECT_TRUE(parse_ok(with_catalog(R"("postgresql": "postgresql:///models")"))
                    .catalog->password_file.empty());
}

TEST(CatalogConfig, BadValuesAreNamedWithTheirPath) {
    EXPECT_THAT(problems_of(R"({"catalog": "postgresql://db/m"})"),
                ElementsAre(HasSubstr("catalog: expected an object such as")));
    EXPECT_THAT(problems_of(with_catalog("")),
                ElementsAre(HasSubstr("catalog.postgresql: required")));
    EXPECT_THAT(problems_of(with_catalog(R"("postgresql": "mysql://db/m")")),
                ElementsAre(HasSubstr("catalog.postgresql: expected a connection URI")));
    EXPECT_THAT(problems_of(with_catalog(R"("postgresql": "host=db dbname=m")")),
                ElementsAre(HasSubstr("catalog.postgresql: expected a connection URI")));
    EXPECT_THAT(problems_of(with_catalog(R"("postgresql": 5432)")),
                ElementsAre(HasSubstr("catalog.postgresql")));
    EXPECT_THAT(problems_of(with_catalog(R"("postgresql": "postgresql://db/m", "password": "x")")),
                ElementsAre(HasSubstr("catalog.password")));
    EXPECT_THAT(
        problems_of(with_catalog(R"("postgresql": "postgresql://db/m", "password_file": "")")),
        ElementsAre(HasSubstr("catalog.password_file")));
}

TEST(CatalogConfig, APasswordInTheUriIsRefused) {
    for (const char* uri :
         {"postgresql://mv:secret@db/m", "postgres://mv:s@db:5432/m",
          "postgresql://db/m?sslmode=require&password=s", "postgresql://db/m?password=s"}) {
        EXPECT_THAT(problems_of(with_catalog(std::string(R"("postgresql": ")") + uri + "\"")),
                    ElementsAre(HasSubstr("password_file")))
            << uri;
    }
    EXPECT_TRUE(parse_ok(with_catalog(R"("postgresql": "postgresql://mv@db:5432/m")")).catalog)
        << "a user name alone is fine";
}

} // namespace
} // namespace mv::config
