#include <gtest/gtest.h>

#include "vault/version.hpp"

namespace mv::vault {
namespace {

TEST(Version, ParsesAndPrints) {
    auto v = Version::parse("1.14.2");
    ASSERT_TRUE(v);
    EXPECT_EQ(*v, (Version{1, 14, 2}));
    EXPECT_EQ(v->to_string(), "1.14.2");
}

TEST(Version, RejectsWhatIsNotStrictSemverCore) {
    for (const char* bad : {"", "1", "1.0", "1.0.0.0", "01.0.0", "1.00.0", "1.0.0-beta", "a.b.c",
                            "1..0", "-1.0.0", " 1.0.0", "99999999999.0.0"}) {
        EXPECT_FALSE(Version::parse(bad)) << bad;
    }
}

TEST(Version, BumpsResetLowerParts) {
    const Version v{1, 4, 2};
    EXPECT_EQ(v.bumped(Bump::patch), (Version{1, 4, 3}));
    EXPECT_EQ(v.bumped(Bump::minor), (Version{1, 5, 0}));
    EXPECT_EQ(v.bumped(Bump::major), (Version{2, 0, 0}));
}

TEST(Version, OrdersNumerically) {
    EXPECT_LT((Version{1, 9, 0}), (Version{1, 10, 0}));
    EXPECT_LT((Version{1, 10, 9}), (Version{2, 0, 0}));
    EXPECT_EQ(parse_bump("minor"), Bump::minor);
    EXPECT_FALSE(parse_bump("huge"));
}

} // namespace
} // namespace mv::vault
