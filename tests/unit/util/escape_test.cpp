#include <set>

#include <gtest/gtest.h>

#include "util/escape.hpp"

namespace mv {
namespace {

TEST(EscapeName, KeepsPrintableTextAndUtf8) {
    EXPECT_EQ(escape_name("agents/dqn v2.pkl"), "agents/dqn v2.pkl");
    EXPECT_EQ(escape_name("modèle/权重.pt"), "modèle/权重.pt");
}

TEST(EscapeName, EscapesBackslashControlAndInvalidBytes) {
    EXPECT_EQ(escape_name("a\\b"), "a\\\\b");
    EXPECT_EQ(escape_name("line\nbreak"), "line\\x0abreak");
    EXPECT_EQ(escape_name(std::string("nul\0x", 5)), "nul\\x00x");
    EXPECT_EQ(escape_name("bad\xff\xfe"), "bad\\xff\\xfe");
    EXPECT_EQ(escape_name("\xc3"), "\\xc3");                   // truncated sequence
    EXPECT_EQ(escape_name("\xc0\xaf"), "\\xc0\\xaf");          // overlong '/'
    EXPECT_EQ(escape_name("\xed\xa0\x80"), "\\xed\\xa0\\x80"); // surrogate
    EXPECT_EQ(escape_name("\xc2\x85"), "\\xc2\\x85");          // C1 control NEL
}

TEST(EscapeName, RoundTripsEveryByte) {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all += static_cast<char>(i);
    }
    all += "é\\x41";
    const std::string escaped = escape_name(all);
    EXPECT_TRUE(is_valid_utf8(escaped));
    auto back = unescape_name(escaped);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, all);
}

TEST(UnescapeName, RejectsDanglingEscapes) {
    EXPECT_FALSE(unescape_name("a\\"));
    EXPECT_FALSE(unescape_name("a\\q"));
    EXPECT_FALSE(unescape_name("a\\x4"));
    EXPECT_FALSE(unescape_name("a\\xzz"));
}

TEST(PathComponent, CannotProduceDotsOrSeparators) {
    EXPECT_EQ(encode_path_component(".."), "%2e.");
    EXPECT_EQ(encode_path_component("."), "%2e");
    EXPECT_EQ(encode_path_component(".hidden"), "%2ehidden");
    EXPECT_EQ(encode_path_component("a/b"), "a%2fb");
    EXPECT_EQ(encode_path_component("50%"), "50%25");
    EXPECT_EQ(encode_path_component("dqn v2.pkl"), "dqn%20v2.pkl");
    EXPECT_EQ(encode_path_component("权重"), "权重");
    EXPECT_EQ(encode_path_component("x\ny"), "x%0ay");
}

TEST(PathComponent, IsInjective) {
    const std::vector<std::string> names = {"a%2fb", "a/b", "%2e", ".", "a b", "a%20b", "A", "a"};
    std::set<std::string> encoded;
    for (const auto& name : names) {
        const std::string e = encode_path_component(name);
        EXPECT_TRUE(encoded.insert(e).second) << name << " collides as " << e;
        auto back = decode_path_component(e);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, name);
    }
}

} // namespace
} // namespace mv

namespace mv {
namespace {

TEST(UnescapeName, AcceptsOnlyTheCanonicalSpelling) {
    EXPECT_FALSE(unescape_name("\\x41"));   // "A" must be written A
    EXPECT_FALSE(unescape_name("a\\x2fb")); // "/" must be written /
    EXPECT_FALSE(unescape_name("\\x0A"));   // lowercase hex only
    EXPECT_FALSE(unescape_name("raw\nnewline"));
    const auto error = unescape_name("\\x41").error();
    EXPECT_NE(error.find("write it as \"A\""), std::string::npos) << error;
    EXPECT_TRUE(unescape_name("\\x0a"));
}

} // namespace
} // namespace mv
