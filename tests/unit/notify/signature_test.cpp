// The webhook signature is HMAC-SHA256 in GitHub's form (docs/NOTIFICATIONS.md).
#include <gtest/gtest.h>

#include "notify/signature.hpp"

namespace mv::notify {
namespace {

TEST(Signature, MatchesRfc4231TestCase2) {
    // RFC 4231, 4.3: key "Jefe", data "what do ya want for nothing?".
    EXPECT_EQ(sign_body("Jefe", "what do ya want for nothing?"),
              "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signature, MatchesGitHubsDocumentedExample) {
    // docs.github.com, "Validating webhook deliveries": secret "It's a Secret to Everybody",
    // payload "Hello, World!".
    EXPECT_EQ(sign_body("It's a Secret to Everybody", "Hello, World!"),
              "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(Signature, DependsOnEveryByteOfTheBody) {
    EXPECT_NE(sign_body("s", "{\"a\":1}"), sign_body("s", "{\"a\":2}"));
    EXPECT_NE(sign_body("s", "{\"a\":1}"), sign_body("t", "{\"a\":1}"));
}

} // namespace
} // namespace mv::notify
