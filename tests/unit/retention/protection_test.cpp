// retention::decide after the rules: the always-kept protections (newest, best,
// current), the fixed order of reasons, and the max_versions cap with its protected set
// (docs/CONFIG.md `retention`). Times are fixed, TZ is set per test; `now` is injected.

#include <gtest/gtest.h>

#include "retention/policy.hpp"
#include "tests/unit/retention/helpers.hpp"
#include "tests/unit/retention/tz_guard.hpp"

namespace mv::retention {
namespace {

using config::RetentionPolicy;
using test::days;
using test::kept_ids;
using test::Policy;
using test::reasons_for;
using test::version;
using Reasons = std::vector<std::string>;
using Ids = std::vector<std::string>;

const SystemTime k_protection_now = test::at("2030-01-01T00:00:00Z");
TEST(RetentionProtection, ProtectedVersionsAreKeptWhenNoRuleKeepsThem) {
    test::TzGuard tz("UTC");
    std::vector<Candidate> versions = {
        version("2021-01-04T00:00:00Z"), version("2021-01-03T00:00:00Z"),
        version("2021-01-02T00:00:00Z"), version("2021-01-01T00:00:00Z")};
    versions[1].current = true;
    versions[3].best = true;

    const auto decisions = decide(versions, Policy().tags({"none"}), k_protection_now);
    EXPECT_EQ(kept_ids(decisions),
              (Ids{"2021-01-04T00:00:00Z", "2021-01-03T00:00:00Z", "2021-01-01T00:00:00Z"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-04T00:00:00Z"), (Reasons{"newest"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-03T00:00:00Z"), (Reasons{"current"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-01T00:00:00Z"), (Reasons{"best"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-02T00:00:00Z"), (Reasons{"no rule keeps it"}));
}

TEST(RetentionProtection, ReasonsListEveryRuleInAFixedOrder) {
    test::TzGuard tz("UTC");
    Candidate only = version("2021-01-04T00:00:00Z", {"pinned"});
    only.best = true;
    only.current = true;
    const RetentionPolicy policy = Policy()
                                       .last(1)
                                       .hourly(1)
                                       .daily(1)
                                       .weekly(1)
                                       .monthly(1)
                                       .yearly(1)
                                       .within(days(7))
                                       .within_hourly(std::chrono::minutes(90))
                                       .within_daily(days(30))
                                       .within_weekly(days(14))
                                       .within_monthly(days(365))
                                       .within_yearly(days(1000))
                                       .tags({"pinned"});
    const auto decisions = decide({only}, policy, k_protection_now);
    EXPECT_EQ(decisions.at(0).reasons,
              (Reasons{"tag pinned", "within 7d", "last #1", "hourly #1", "daily #1", "weekly #1",
                       "monthly #1", "yearly #1", "within hourly 90m", "within daily 30d",
                       "within weekly 14d", "within monthly 365d", "within yearly 1000d", "newest",
                       "best", "current"}));
    EXPECT_STREQ(to_string(decisions.at(0).verdict), "keep");
    EXPECT_STREQ(to_string(Verdict::remove), "remove");
}

// Six daily versions d1 (newest) … d6, all kept by keep_daily 10 before the cap.
std::vector<Candidate> six_days() {
    std::vector<Candidate> versions;
    for (int day = 6; day >= 1; --day) {
        versions.push_back(version("2021-01-0" + std::to_string(day) + "T12:00:00Z"));
        versions.back().id = "d" + std::to_string(7 - day);
    }
    return versions;
}

TEST(RetentionProtection, MaxVersionsRemovesTheOldestUnprotected) {
    test::TzGuard tz("UTC");
    const auto decisions = decide(six_days(), Policy().daily(10).max_versions(3), k_protection_now);
    EXPECT_EQ(kept_ids(decisions), (Ids{"d1", "d2", "d3"}));
    EXPECT_EQ(reasons_for(decisions, "d4"), (Reasons{"over max_versions 3"}));
    EXPECT_EQ(reasons_for(decisions, "d6"), (Reasons{"over max_versions 3"}));
    EXPECT_EQ(test::decision_for(decisions, "d6").verdict, Verdict::remove);
    EXPECT_EQ(reasons_for(decisions, "d3"), (Reasons{"daily #3"}));
}

TEST(RetentionProtection, MaxVersionsSkipsProtectedVersions) {
    test::TzGuard tz("UTC");
    auto versions = six_days();
    versions[5].best = true;             // d6, the oldest
    versions[4].tags = {"pinned"};       // d5: kept by keep_daily too, still protected
    versions[2].tags = {"experimental"}; // d3: a tag that keep_tags does not name
    const auto decisions =
        decide(versions, Policy().daily(10).tags({"pinned"}).max_versions(3), k_protection_now);
    // d6 (best) and d5 (pinned) are skipped; d4 and d3 go; d2 goes too since 4 > 3.
    EXPECT_EQ(kept_ids(decisions), (Ids{"d1", "d5", "d6"}));
    EXPECT_EQ(reasons_for(decisions, "d5"), (Reasons{"tag pinned", "daily #5"}));
    EXPECT_EQ(reasons_for(decisions, "d2"), (Reasons{"over max_versions 3"}));
}

TEST(RetentionProtection, MaxVersionsNeverRemovesProtectedEvenOverTheCap) {
    test::TzGuard tz("UTC");
    auto versions = six_days();
    versions[5].best = true;    // d6
    versions[3].current = true; // d4
    for (const int cap : {1, 0, -3}) {
        SCOPED_TRACE(cap);
        const auto decisions =
            decide(versions, Policy().daily(10).max_versions(cap), k_protection_now);
        EXPECT_EQ(kept_ids(decisions), (Ids{"d1", "d4", "d6"}));
        EXPECT_EQ(reasons_for(decisions, "d4"), (Reasons{"daily #4", "current"}));
    }
}

TEST(RetentionProtection, MaxVersionsAloneCapsAnOtherwiseKeepAllPolicy) {
    test::TzGuard tz("UTC");
    const auto decisions = decide(six_days(), Policy().max_versions(4), k_protection_now);
    EXPECT_EQ(kept_ids(decisions), (Ids{"d1", "d2", "d3", "d4"}));
    EXPECT_EQ(reasons_for(decisions, "d2"), (Reasons{"no keep rules"}));
    EXPECT_EQ(reasons_for(decisions, "d5"), (Reasons{"over max_versions 4"}));
}

TEST(RetentionProtection, MaxVersionsDoesNotBringBackRemovedVersions) {
    test::TzGuard tz("UTC");
    const auto decisions = decide(six_days(), Policy().last(2).max_versions(10), k_protection_now);
    EXPECT_EQ(kept_ids(decisions), (Ids{"d1", "d2"}));
    EXPECT_EQ(reasons_for(decisions, "d3"), (Reasons{"no rule keeps it"}));
}

} // namespace
} // namespace mv::retention
