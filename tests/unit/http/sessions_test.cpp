// Browser sessions: random ids, the cookie found among others, a bounded table.
#include <gtest/gtest.h>

#include "http/sessions.hpp"

namespace mv::http {
namespace {

TEST(Sessions, AnIdNamesItsTokenAndNothingElse) {
    Sessions sessions;
    const std::string a = sessions.open("token-a");
    const std::string b = sessions.open("token-b");
    EXPECT_EQ(a.size(), 64u);
    EXPECT_NE(a, b);
    EXPECT_EQ(sessions.token_of(a), "token-a");
    EXPECT_EQ(sessions.token_of(b), "token-b");
    EXPECT_FALSE(sessions.token_of(a.substr(0, 63)));
    EXPECT_FALSE(sessions.token_of(""));
    // The oldest sessions go first once there are too many.
    for (int i = 0; i < 256; ++i) {
        sessions.open("more");
    }
    EXPECT_FALSE(sessions.token_of(a));
}

TEST(Sessions, TheCookieIsFoundAmongOthers) {
    EXPECT_EQ(session_cookie("theme=dark; mv_session=abc123; lang=en"), "abc123");
    EXPECT_EQ(session_cookie("mv_session=x"), "x");
    EXPECT_FALSE(session_cookie("xmv_session=abc"));
    EXPECT_FALSE(session_cookie(""));
    EXPECT_EQ(session_set_cookie("abc", Secure::no),
              "mv_session=abc; HttpOnly; SameSite=Strict; Path=/");
    // Over TLS the browser must never send it in clear text (docs/HTTP.md, "TLS").
    EXPECT_EQ(session_set_cookie("abc", Secure::yes),
              "mv_session=abc; HttpOnly; SameSite=Strict; Path=/; Secure");
}

} // namespace
} // namespace mv::http
