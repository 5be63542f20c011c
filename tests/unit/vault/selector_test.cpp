#include <gtest/gtest.h>

#include "vault/selector.hpp"

namespace mv::vault {
namespace {

std::vector<Manifest> history() {
    std::vector<Manifest> versions;
    const char* numbers[] = {"1.0.0", "1.0.1", "1.1.0", "1.1.1", "2.0.0"};
    for (int i = 0; i < 5; ++i) {
        Manifest m;
        m.model = "lab/x.pkl";
        m.version = *Version::parse(numbers[i]);
        m.sequence = static_cast<std::uint64_t>(i + 1);
        m.created = *parse_time("2026-11-20T00:00:00Z") + std::chrono::hours(24 * i);
        versions.push_back(m);
    }
    versions[1].tags = {"baseline"};
    return versions;
}

TEST(Selector, EveryKind) {
    const auto v = history();
    const auto pick = [&](const char* selector) {
        auto found = select_version(v, "lab/x.pkl", selector);
        return found ? found->version.to_string() : "error: " + found.error();
    };
    EXPECT_EQ(pick(""), "2.0.0");
    EXPECT_EQ(pick("latest"), "2.0.0");
    EXPECT_EQ(pick("1.1.0"), "1.1.0");
    EXPECT_EQ(pick("1.1"), "1.1.1");
    EXPECT_EQ(pick("1"), "1.1.1");
    EXPECT_EQ(pick("baseline"), "1.0.1");
    EXPECT_EQ(pick("@2026-11-22T12:00:00Z"), "1.1.0");
    EXPECT_EQ(pick("@2026-11-22"), "1.1.0"); // midnight UTC, the 1.1.0 instant exactly
    EXPECT_EQ(pick("2026-11-21T13:00+02:00"), "1.0.1");
    EXPECT_EQ(pick("@2030-01-01"), "2.0.0");
}

TEST(Selector, SaysWhatExists) {
    const auto v = history();
    EXPECT_EQ(select_version(v, "lab/x.pkl", "prod").error(),
              "lab/x.pkl has 1.0.0–2.0.0 (5 versions); no tag 'prod'");
    EXPECT_EQ(select_version(v, "lab/x.pkl", "3").error(),
              "lab/x.pkl has 1.0.0–2.0.0 (5 versions); no version 3.x");
    EXPECT_EQ(select_version(v, "lab/x.pkl", "1.2.0").error(),
              "lab/x.pkl has 1.0.0–2.0.0 (5 versions); no version 1.2.0");
    EXPECT_NE(
        select_version(v, "lab/x.pkl", "@2020-01-01").error().find("none was made at or before"),
        std::string::npos);
    EXPECT_FALSE(select_version(v, "lab/x.pkl", "@yesterday"));
    // Past 2262 a time used to wrap around to 1830 and match nothing or everything.
    for (const char* far : {"@3000-01-01", "3000-01-01"}) {
        const auto refused = select_version(v, "lab/x.pkl", far);
        ASSERT_FALSE(refused) << far;
        EXPECT_NE(refused.error().find("out of range"), std::string::npos) << refused.error();
    }
    EXPECT_FALSE(select_version({}, "lab/x.pkl", ""));
}

} // namespace
} // namespace mv::vault
