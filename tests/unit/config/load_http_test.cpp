// The `http` key (docs/CONFIG.md, docs/HTTP.md): an address and a tokens file, both
// required; a certificate and its key, together or not at all; anything that would put
// tokens on the network in clear text is refused.
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
using ::testing::UnorderedElementsAre;

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
                    "needs TLS, or the tokens would cross it in clear text; add \"tls_cert\" and "
                    "\"tls_key\" (docs/HTTP.md, \"TLS\"), or listen on \"127.0.0.1:8470\" "
                    "behind a TLS reverse proxy")));
    EXPECT_THAT(problems_of(R"({"http": {"listen": "[::]:8470", "tokens_file": "/t"}})"),
                ElementsAre(HasSubstr("is not a loopback address")));
    EXPECT_THAT(problems_of(R"({"http": {"listen": "192.168.1.5:443", "tokens_file": "/t"}})"),
                ElementsAre(HasSubstr("\"192.168.1.5\" is not a loopback address")));
}

TEST(HttpConfig, WithACertificateAndItsKeyTheNetworkIsServed) {
    for (const char* listen : {"0.0.0.0:8470", "[::]:8470", "10.1.2.3:443", "127.0.0.1:8470"}) {
        const Config config = parse_ok(std::string(R"({"http": {"listen": ")") + listen +
                                       R"(", "tokens_file": "/t", "tls_cert": "tls/cert.pem",
                                          "tls_key": "/etc/tls/key.pem"}})");
        ASSERT_TRUE(config.http) << listen;
        EXPECT_TRUE(config.http->tls());
        // Relative to the config file's folder, as every path.
        EXPECT_EQ(config.http->tls_cert, "/etc/modelvault/tls/cert.pem");
        EXPECT_EQ(config.http->tls_key, "/etc/tls/key.pem");
    }
    EXPECT_EQ(parse_ok(R"({"http": {"listen": "[::]:1", "tokens_file": "/t", "tls_cert": "/c",
                                    "tls_key": "/k"}})")
                  .http->host,
              "::");
    EXPECT_FALSE(
        parse_ok(R"({"http": {"listen": "127.0.0.1:1", "tokens_file": "/t"}})").http->tls());
}

TEST(HttpConfig, ACertificateWithoutItsKeyOrAKeyAloneIsRefused) {
    EXPECT_THAT(problems_of(R"({"http": {"listen": "127.0.0.1:8470", "tokens_file": "/t",
                                         "tls_cert": "/c"}})"),
                ElementsAre(HasSubstr(
                    "http.tls_cert: set without \"tls_key\": add \"tls_key\", the file of the "
                    "certificate's PEM private key, or remove \"tls_cert\" to serve plain HTTP "
                    "on loopback")));
    EXPECT_THAT(problems_of(R"({"http": {"listen": "127.0.0.1:8470", "tokens_file": "/t",
                                         "tls_key": "/k"}})"),
                ElementsAre(HasSubstr("http.tls_key: set without \"tls_cert\": add "
                                      "\"tls_cert\", the file of the PEM certificate chain")));
    // Half a pair is no TLS: the network stays refused too.
    EXPECT_THAT(
        problems_of(R"({"http": {"listen": "0.0.0.0:8470", "tokens_file": "/t",
                                         "tls_cert": "/c"}})"),
        UnorderedElementsAre(HasSubstr("http.listen: \"0.0.0.0\" is not a loopback address"),
                             HasSubstr("http.tls_cert: set without \"tls_key\"")));
    // A value of the wrong type is that problem alone.
    EXPECT_THAT(problems_of(R"({"http": {"listen": "127.0.0.1:8470", "tokens_file": "/t",
                                         "tls_cert": 5, "tls_key": "/k"}})"),
                ElementsAre(HasSubstr("http.tls_cert: expected")));
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
