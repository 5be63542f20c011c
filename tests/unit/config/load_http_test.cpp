// The `http` key (docs/CONFIG.md, docs/HTTP.md): a loopback address and a tokens file,
// both required; anything that would put tokens on the network in clear text is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "tests/unit/config/problems.hpp"

namespace mv::config {
namespace {

using test::parse_ok;
using test::problems_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(HttpConfig, ALoopbackAddressAndATokensFile) {
    const Config config =
        parse_ok(R"({"http": {"listen": "127.0.0.2:8470", "tokens_file": "http-tokens"}})");
    ASSERT_TRUE(config.http);
    EXPECT_EQ(config.http->host, "127.0.0.2");
    EXPECT_EQ(config.http->port, 8470);
    EXPECT_EQ(config.http->tokens_file, "/etc/modelvault/http-tokens");
    EXPECT_EQ(parse_ok(R"({"http": {"listen": "[::1]:1", "tokens_file": "/t"}})").http->host,
              "::1");
    EXPECT_FALSE(parse_ok("{}").http);
}

TEST(HttpConfig, TheNetworkIsRefusedWithoutTls) {
    EXPECT_THAT(problems_of(R"({"http": {"listen": "0.0.0.0:8470", "tokens_file": "/t"}})"),
                ElementsAre(HasSubstr(
                    "http.listen: \"0.0.0.0\" is not a loopback address: serving the network "
                    "needs TLS, which modelvault " MV_VERSION " does not have yet (bearer tokens "
                    "would cross it in clear text); listen on \"127.0.0.1:8470\" and put a TLS "
                    "reverse proxy in front")));
    EXPECT_THAT(problems_of(R"({"http": {"listen": "[::]:8470", "tokens_file": "/t"}})"),
                ElementsAre(HasSubstr("is not a loopback address")));
    EXPECT_THAT(problems_of(R"({"http": {"listen": "127.0.0.1:8470", "tokens_file": "/t",
                                         "tls_cert": "/c", "tls_key": "/k"}})"),
                ElementsAre(HasSubstr("http.tls_cert: not available yet in modelvault"),
                            HasSubstr("http.tls_key: not available yet in modelvault")));
}

TEST(HttpConfig, MalformedOrMissingValuesSayWhatIsExpected) {
    for (const char* listen :
         {"localhost:8470", "127.0.0.1", "127.0.0.1:65536", "127.0.0.1:80x", "::1:8470", ":8470"}) {
        EXPECT_THAT(problems_of(std::string(R"({"http": {"tokens_file": "/t", "listen": ")") +
                                listen + "\"}}"),
                    ElementsAre(HasSubstr("http.listen: expected ADDRESS:PORT with an IP "
                                          "address and a port from 0 to 65535")))
            << listen;
    }
    EXPECT_THAT(problems_of(R"({"http": {"listen": "127.0.0.1:8470"}})"),
                ElementsAre(HasSubstr("http.tokens_file: required: every HTTP client shows a "
                                      "token")));
    EXPECT_THAT(problems_of(R"({"http": {"tokens_file": "/t"}})"),
                ElementsAre(HasSubstr("http.listen: required")));
    EXPECT_THAT(problems_of(R"({"http": {"listen": "127.0.0.1:1", "tokens_file": "/t",
                                         "lisen": 1}})"),
                ElementsAre(HasSubstr("http.lisen")));
    EXPECT_THAT(problems_of(R"({"http": true})"), ElementsAre(HasSubstr("http: expected")));
}

} // namespace
} // namespace mv::config
