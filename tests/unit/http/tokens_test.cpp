// The HTTP tokens file (docs/HTTP.md, "Tokens"): what a line may hold, the mode the file
// must have, and the Authorization header.
#include <fstream>
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/tokens.hpp"
#include "tests/lib/temp_dir.hpp"
#include "util/error.hpp"

namespace mv::http {
namespace {

using ::testing::HasSubstr;

constexpr const char* k_read = "r3ad-token-0123456789";
constexpr const char* k_write = "wr1te-token-0123456789";

std::string message_of(const std::string& text) {
    try {
        Tokens::parse(text, "tokens");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(Tokens, EachLineGrantsReadOrWrite) {
    const auto tokens = Tokens::parse(std::string("# who may do what\n\nread ") + k_read +
                                          "\n  write\t" + k_write + "  \r\n",
                                      "tokens");
    EXPECT_EQ(tokens.size(), 2u);
    ASSERT_TRUE(tokens.find(k_read));
    EXPECT_EQ(tokens.find(k_read)->grant, Grant::read);
    EXPECT_EQ(tokens.find(k_read)->line, 3u);
    EXPECT_EQ(tokens.find(k_write)->grant, Grant::write);
    EXPECT_EQ(tokens.find(k_write)->line, 4u);
    // Not a prefix, not a longer string, not another case.
    EXPECT_FALSE(tokens.find("r3ad-token-012345678"));
    EXPECT_FALSE(tokens.find(std::string(k_read) + "x"));
    EXPECT_FALSE(tokens.find("R3AD-TOKEN-0123456789"));
    EXPECT_FALSE(tokens.find(""));
    EXPECT_EQ(tokens.any_with(Grant::read), k_read);
}

TEST(Tokens, BadLinesAreRefusedWithTheirLineNumber) {
    EXPECT_THAT(message_of("admin abcdefghijklmnopq\n"),
                HasSubstr("tokens:1: unknown access \"admin\"; each line is `read TOKEN` or "
                          "`write TOKEN`"));
    EXPECT_THAT(message_of("\nread short\n"),
                HasSubstr("tokens:2: the token is 5 characters long, it needs at least 16 "
                          "(make one with `openssl rand -hex 32`)"));
    EXPECT_THAT(message_of("read\n"), HasSubstr("tokens:1: the token is 0 characters long"));
    EXPECT_THAT(message_of("read abcdefghijklmnop\"q\n"),
                HasSubstr("tokens:1: the token may hold only letters, digits and ._~+/=-"));
    EXPECT_THAT(message_of("read abcdefghijklmnopq\nwrite abcdefghijklmnopq\n"),
                HasSubstr("tokens:2: the token is listed twice"));
}

TEST(Tokens, TheFileMustBeReadableByItsOwnerOnly) {
    test::TempDir dir("tokens");
    const auto file = dir / "http-tokens";
    std::ofstream(file) << "write " << k_write << "\n";
    ::chmod(file.c_str(), 0640);
    try {
        Tokens::load(file);
        FAIL() << "a file the group can read was accepted";
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("has mode 0640: other users could read the tokens; run "
                                        "`chmod 600 " +
                                        file.string() + "`"));
    }
    ::chmod(file.c_str(), 0600);
    EXPECT_EQ(Tokens::load(file).find(k_write)->grant, Grant::write);
    EXPECT_THROW(Tokens::load(dir / "missing"), Error);
}

TEST(Tokens, TheBearerSchemeCarriesTheToken) {
    EXPECT_EQ(bearer_token("Bearer abc"), "abc");
    EXPECT_EQ(bearer_token("bearer   abc  "), "abc");
    EXPECT_FALSE(bearer_token("Basic YWxhZGRpbjpvcGVuc2VzYW1l"));
    EXPECT_FALSE(bearer_token("Bearer "));
    EXPECT_FALSE(bearer_token(""));
}

} // namespace
} // namespace mv::http
