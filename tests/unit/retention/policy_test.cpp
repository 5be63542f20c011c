// retention::decide, rule by rule: no policy, each keep_* kind alone and combined, the
// calendar edges, the reference time of keep_within*, tags and ties. Protections and
// max_versions are in protection_test.cpp. Times are fixed, TZ is set per test; `now`
// is injected.

#include <gtest/gtest.h>

#include "retention/policy.hpp"
#include "tests/unit/retention/helpers.hpp"
#include "tests/unit/retention/tz_guard.hpp"

namespace mv::retention {
namespace {

using config::RetentionPolicy;
using test::at;
using test::days;
using test::kept_ids;
using test::Policy;
using test::reasons_for;
using test::version;
using Reasons = std::vector<std::string>;
using Ids = std::vector<std::string>;

const SystemTime k_now = at("2030-01-01T00:00:00Z");

TEST(RetentionPolicy, WithoutPolicyEverythingIsKeptNewestFirst) {
    test::TzGuard tz("UTC");
    // Given in no particular order …
    const auto decisions = decide({version("2021-01-02T00:00:00Z"), version("2021-01-03T00:00:00Z"),
                                   version("2021-01-01T00:00:00Z")},
                                  std::nullopt, k_now);
    // … every version is kept and the answer is newest first.
    EXPECT_EQ(test::all_ids(decisions),
              (Ids{"2021-01-03T00:00:00Z", "2021-01-02T00:00:00Z", "2021-01-01T00:00:00Z"}));
    EXPECT_EQ(kept_ids(decisions), test::all_ids(decisions));
    EXPECT_EQ(decisions[0].reasons, (Reasons{"no retention policy", "newest"}));
    EXPECT_EQ(decisions[1].reasons, (Reasons{"no retention policy"}));
    EXPECT_EQ(decisions[1].time, at("2021-01-02T00:00:00Z"));
}

TEST(RetentionPolicy, PolicyWithoutKeepRulesKeepsEverything) {
    // restic treats all-zero options as an empty policy that removes nothing.
    test::TzGuard tz("UTC");
    const RetentionPolicy policies[] = {
        RetentionPolicy{},
        Policy().last(0).daily(0).within(days(0)),
    };
    for (const RetentionPolicy& policy : policies) {
        const auto decisions = decide(
            {version("2021-01-02T00:00:00Z"), version("2021-01-01T00:00:00Z")}, policy, k_now);
        EXPECT_EQ(kept_ids(decisions), test::all_ids(decisions));
        EXPECT_EQ(decisions[1].reasons, (Reasons{"no keep rules"}));
    }
}

TEST(RetentionPolicy, KeepsEverythingOnlyWhenNothingConstrains) {
    EXPECT_TRUE(keeps_everything(std::nullopt));
    EXPECT_TRUE(keeps_everything(RetentionPolicy{}));
    EXPECT_TRUE(keeps_everything(Policy().last(0).within(days(0))));
    EXPECT_FALSE(keeps_everything(Policy().last(1)));
    EXPECT_FALSE(keeps_everything(Policy().yearly(1)));
    EXPECT_FALSE(keeps_everything(Policy().within_weekly(days(1))));
    EXPECT_FALSE(keeps_everything(Policy().tags({"pinned"})));
    EXPECT_FALSE(keeps_everything(Policy().max_versions(50)));
}

TEST(RetentionPolicy, EmptyInputGivesEmptyOutput) {
    EXPECT_TRUE(decide({}, std::nullopt, k_now).empty());
    EXPECT_TRUE(decide({}, Policy().daily(3).max_versions(1), k_now).empty());
    EXPECT_TRUE(decide({}, Policy().within_daily(days(3)), k_now).empty());
}

TEST(RetentionPolicy, KeepLastKeepsTheNewestN) {
    test::TzGuard tz("UTC");
    const auto decisions =
        decide({version("2021-01-01T00:00:00Z"), version("2021-01-01T00:00:01Z"),
                version("2021-01-01T00:00:02Z"), version("2021-01-01T00:00:03Z")},
               Policy().last(2), k_now);
    EXPECT_EQ(kept_ids(decisions), (Ids{"2021-01-01T00:00:03Z", "2021-01-01T00:00:02Z"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-01T00:00:03Z"), (Reasons{"last #1", "newest"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-01T00:00:02Z"), (Reasons{"last #2"}));
    EXPECT_EQ(test::decision_for(decisions, "2021-01-01T00:00:00Z").verdict, Verdict::remove);
    EXPECT_EQ(reasons_for(decisions, "2021-01-01T00:00:00Z"), (Reasons{"no rule keeps it"}));
}

// One calendar rule on a fixed set of versions: which are kept, with which reasons.
struct BucketCase {
    const char* name;
    RetentionPolicy policy;
    std::vector<std::pair<const char*, Reasons>> kept; // newest first; "newest" omitted
};

void expect_bucket_case(const std::vector<Candidate>& versions, const BucketCase& c) {
    SCOPED_TRACE(c.name);
    const auto decisions = decide(versions, c.policy, k_now);
    Ids expected_ids;
    for (const auto& [id, reasons] : c.kept) {
        expected_ids.emplace_back(id);
        Reasons expected = reasons;
        if (id == decisions.front().id) {
            expected.emplace_back("newest");
        }
        EXPECT_EQ(reasons_for(decisions, id), expected) << id;
    }
    EXPECT_EQ(kept_ids(decisions), expected_ids);
}

TEST(RetentionPolicy, CalendarBucketsCountOnlyBucketsHoldingAVersion) {
    test::TzGuard tz("UTC");
    const std::vector<Candidate> versions = {
        version("2021-01-10T09:00:00Z"), version("2021-01-10T18:00:00Z"),
        version("2021-01-08T12:00:00Z"), version("2021-01-08T07:00:00Z"),
        version("2021-01-05T12:00:00Z"), version("2021-01-05T12:10:00Z"),
        version("2021-01-05T12:50:00Z"), version("2021-01-05T13:05:00Z"),
    };
    const BucketCase cases[] = {
        // Days 01-09, 01-07 and 01-06 hold nothing and are not counted.
        {"daily 2",
         Policy().daily(2),
         {{"2021-01-10T18:00:00Z", {"daily #1"}}, {"2021-01-08T12:00:00Z", {"daily #2"}}}},
        {"daily 9: more buckets than exist",
         Policy().daily(9),
         {{"2021-01-10T18:00:00Z", {"daily #1"}},
          {"2021-01-08T12:00:00Z", {"daily #2"}},
          {"2021-01-05T13:05:00Z", {"daily #3"}}}},
        {"hourly 5",
         Policy().hourly(5),
         {{"2021-01-10T18:00:00Z", {"hourly #1"}},
          {"2021-01-10T09:00:00Z", {"hourly #2"}},
          {"2021-01-08T12:00:00Z", {"hourly #3"}},
          {"2021-01-08T07:00:00Z", {"hourly #4"}},
          {"2021-01-05T13:05:00Z", {"hourly #5"}}}},
        // Each rule counts on its own; a version kept by one is still counted by another.
        {"last 3 + daily 3",
         Policy().last(3).daily(3),
         {{"2021-01-10T18:00:00Z", {"last #1", "daily #1"}},
          {"2021-01-10T09:00:00Z", {"last #2"}},
          {"2021-01-08T12:00:00Z", {"last #3", "daily #2"}},
          {"2021-01-05T13:05:00Z", {"daily #3"}}}},
    };
    for (const BucketCase& c : cases) {
        expect_bucket_case(versions, c);
    }
}

TEST(RetentionPolicy, WeeksAreIsoWeeksAndYearsAndMonthsAreCalendarOnes) {
    // 2020-12-31, 2021-01-01 and 2021-01-03 are all in ISO week 2020-W53; 2021-01-04
    // starts 2021-W01. Checked against restic 0.14 (--keep-weekly 10 keeps two of them).
    test::TzGuard tz("UTC");
    const std::vector<Candidate> versions = {
        version("2020-12-31T12:00:00Z"), version("2021-01-01T12:00:00Z"),
        version("2021-01-03T12:00:00Z"), version("2021-01-04T12:00:00Z"),
        version("2018-12-30T12:00:00Z"), version("2018-12-31T12:00:00Z"),
        version("2019-01-01T12:00:00Z"),
    };
    const BucketCase cases[] = {
        {"weekly 4",
         Policy().weekly(4),
         {{"2021-01-04T12:00:00Z", {"weekly #1"}},
          {"2021-01-03T12:00:00Z", {"weekly #2"}},
          // 2018-12-31 shares 2019-W01 with 2019-01-01; 2018-12-30 is 2018-W52.
          {"2019-01-01T12:00:00Z", {"weekly #3"}},
          {"2018-12-30T12:00:00Z", {"weekly #4"}}}},
        {"monthly 3",
         Policy().monthly(3),
         {{"2021-01-04T12:00:00Z", {"monthly #1"}},
          {"2020-12-31T12:00:00Z", {"monthly #2"}},
          {"2019-01-01T12:00:00Z", {"monthly #3"}}}},
        {"yearly 2",
         Policy().yearly(2),
         {{"2021-01-04T12:00:00Z", {"yearly #1"}}, {"2020-12-31T12:00:00Z", {"yearly #2"}}}},
        {"yearly 10",
         Policy().yearly(10),
         {{"2021-01-04T12:00:00Z", {"yearly #1"}},
          {"2020-12-31T12:00:00Z", {"yearly #2"}},
          {"2019-01-01T12:00:00Z", {"yearly #3"}},
          {"2018-12-31T12:00:00Z", {"yearly #4"}}}},
    };
    for (const BucketCase& c : cases) {
        expect_bucket_case(versions, c);
    }
}

TEST(RetentionPolicy, BucketsUseLocalTime) {
    const std::vector<Candidate> versions = {
        version("2021-01-01T03:00:00Z"), // New York: 2020-12-31 22:00
        version("2021-01-01T01:00:00Z"), // New York: 2020-12-31 20:00
        version("2020-12-31T12:00:00Z"), // New York: 2020-12-31 07:00
    };
    const RetentionPolicy yearly = Policy().yearly(5);
    const RetentionPolicy daily = Policy().daily(5);
    {
        test::TzGuard tz("UTC");
        EXPECT_EQ(kept_ids(decide(versions, yearly, k_now)),
                  (Ids{"2021-01-01T03:00:00Z", "2020-12-31T12:00:00Z"}));
        EXPECT_EQ(kept_ids(decide(versions, daily, k_now)),
                  (Ids{"2021-01-01T03:00:00Z", "2020-12-31T12:00:00Z"}));
    }
    {
        test::TzGuard tz("America/New_York");
        EXPECT_EQ(kept_ids(decide(versions, yearly, k_now)), (Ids{"2021-01-01T03:00:00Z"}));
        EXPECT_EQ(kept_ids(decide(versions, daily, k_now)), (Ids{"2021-01-01T03:00:00Z"}));
    }
}

TEST(RetentionPolicy, KeepWithinCountsFromTheNewestVersionNotFromNow) {
    test::TzGuard tz("UTC");
    const std::vector<Candidate> versions = {
        version("2021-01-10T12:00:00Z"),
        version("2021-01-05T12:00:00Z"), // exactly 5 days before: not "within" (strict)
        version("2021-01-05T12:00:01Z"),
        version("2021-01-01T12:00:00Z"),
    };
    // `now` is years later, yet the window is measured back from 2021-01-10 12:00.
    const auto decisions = decide(versions, Policy().within(days(5)), k_now);
    EXPECT_EQ(kept_ids(decisions), (Ids{"2021-01-10T12:00:00Z", "2021-01-05T12:00:01Z"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-05T12:00:01Z"), (Reasons{"within 5d"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-10T12:00:00Z"), (Reasons{"within 5d", "newest"}));

    // Hours and minutes past whole days are exact time.
    const auto hours = decide(versions, Policy().within(std::chrono::hours(24 * 9 + 1)), k_now);
    EXPECT_EQ(kept_ids(hours), (Ids{"2021-01-10T12:00:00Z", "2021-01-05T12:00:01Z",
                                    "2021-01-05T12:00:00Z", "2021-01-01T12:00:00Z"}));
    EXPECT_EQ(reasons_for(hours, "2021-01-01T12:00:00Z"), (Reasons{"within 217h"}));

    // A window longer than any history keeps everything (and overflows nothing).
    const auto forever = decide(versions, Policy().within(days(366 * 5000)), k_now);
    EXPECT_EQ(kept_ids(forever), test::all_ids(forever));
}

TEST(RetentionPolicy, KeepWithinIgnoresVersionsFromTheFutureAsReference) {
    // restic measures from the newest version that is not in the future, so a version
    // with a wrong clock cannot push every other version out of the window.
    test::TzGuard tz("UTC");
    const std::vector<Candidate> versions = {
        version("2031-01-01T00:00:00Z"), version("2021-01-10T00:00:00Z"),
        version("2021-01-09T00:00:00Z"), version("2021-01-01T00:00:00Z")};
    const RetentionPolicy policy = Policy().within(days(2));
    const auto decisions = decide(versions, policy, at("2022-01-01T00:00:00Z"));
    EXPECT_EQ(kept_ids(decisions),
              (Ids{"2031-01-01T00:00:00Z", "2021-01-10T00:00:00Z", "2021-01-09T00:00:00Z"}));
    EXPECT_EQ(reasons_for(decisions, "2031-01-01T00:00:00Z"), (Reasons{"within 2d", "newest"}));

    // When every version is in the future there is no reference: all are within.
    const auto all_future = decide(versions, policy, at("2020-01-01T00:00:00Z"));
    EXPECT_EQ(kept_ids(all_future), test::all_ids(all_future));
    EXPECT_EQ(reasons_for(all_future, "2021-01-01T00:00:00Z"), (Reasons{"within 2d"}));

    // A version exactly at `now` is not "before now" either.
    const auto at_now = decide(versions, policy, at("2021-01-10T00:00:00Z"));
    EXPECT_EQ(kept_ids(at_now),
              (Ids{"2031-01-01T00:00:00Z", "2021-01-10T00:00:00Z", "2021-01-09T00:00:00Z"}));
    // Measured from 01-09, nine days reach back past 01-01 (from 01-10 they would not).
    const auto reference_is_0109 =
        decide(versions, Policy().within(days(9)), at("2021-01-10T00:00:00Z"));
    EXPECT_EQ(reasons_for(reference_is_0109, "2021-01-01T00:00:00Z"), (Reasons{"within 9d"}));
}

TEST(RetentionPolicy, KeepWithinCountsCalendarDaysAcrossDst) {
    // Verified with restic 0.14 under TZ=America/New_York: --keep-within 2d keeps
    // 03-13 12:30 EST but not 11:30 EST, because two calendar days back from 03-15 12:00
    // EDT is 03-13 12:00 EST, only 47 hours.
    test::TzGuard tz("America/New_York");
    const std::vector<Candidate> versions = {version("2021-03-15T12:00:00-04:00"),
                                             version("2021-03-13T12:30:00-05:00"),
                                             version("2021-03-13T11:30:00-05:00")};
    EXPECT_EQ(kept_ids(decide(versions, Policy().within(days(2)), k_now)),
              (Ids{"2021-03-15T12:00:00-04:00", "2021-03-13T12:30:00-05:00"}));
    const auto longer = decide(versions, Policy().within(days(2) + std::chrono::hours(1)), k_now);
    EXPECT_EQ(kept_ids(longer), test::all_ids(longer));
}

TEST(RetentionPolicy, KeepWithinBucketsKeepOnePerBucketInsideTheWindow) {
    test::TzGuard tz("UTC");
    const std::vector<Candidate> versions = {
        version("2021-01-10T18:00:00Z"), version("2021-01-10T09:00:00Z"),
        version("2021-01-09T12:00:00Z"), version("2021-01-08T23:00:00Z"),
        version("2021-01-08T17:00:00Z"), // before the cutoff 01-08 18:00
        version("2020-12-20T12:00:00Z"), version("2020-11-20T12:00:00Z"),
        version("2020-11-02T12:00:00Z"), version("2019-06-01T12:00:00Z"),
    };
    const BucketCase cases[] = {
        {"within daily 2d",
         Policy().within_daily(days(2)),
         {{"2021-01-10T18:00:00Z", {"within daily 2d"}},
          {"2021-01-09T12:00:00Z", {"within daily 2d"}},
          {"2021-01-08T23:00:00Z", {"within daily 2d"}}}},
        {"within hourly 1d",
         Policy().within_hourly(days(1)),
         {{"2021-01-10T18:00:00Z", {"within hourly 1d"}},
          {"2021-01-10T09:00:00Z", {"within hourly 1d"}}}},
        // 2021-01-08 … 2021-01-10 are all in 2021-W01; 2020-12-20 is 2020-W51.
        {"within weekly 30d",
         Policy().within_weekly(days(30)),
         {{"2021-01-10T18:00:00Z", {"within weekly 30d"}},
          {"2020-12-20T12:00:00Z", {"within weekly 30d"}}}},
        {"within monthly 60d",
         Policy().within_monthly(days(60)),
         {{"2021-01-10T18:00:00Z", {"within monthly 60d"}},
          {"2020-12-20T12:00:00Z", {"within monthly 60d"}},
          {"2020-11-20T12:00:00Z", {"within monthly 60d"}}}},
        {"within yearly 730d",
         Policy().within_yearly(days(730)),
         {{"2021-01-10T18:00:00Z", {"within yearly 730d"}},
          {"2020-12-20T12:00:00Z", {"within yearly 730d"}},
          {"2019-06-01T12:00:00Z", {"within yearly 730d"}}}},
    };
    for (const BucketCase& c : cases) {
        expect_bucket_case(versions, c);
    }
}

TEST(RetentionPolicy, KeepTagsKeepsEveryTaggedVersion) {
    test::TzGuard tz("UTC");
    const auto decisions =
        decide({version("2021-01-05T00:00:00Z"), version("2021-01-04T00:00:00Z", {"pinned"}),
                version("2021-01-03T00:00:00Z", {"experimental"}),
                version("2021-01-02T00:00:00Z", {"baseline", "pinned"}),
                version("2021-01-01T00:00:00Z", {"pinned"})},
               Policy().tags({"pinned", "baseline"}), k_now);
    EXPECT_EQ(kept_ids(decisions), (Ids{"2021-01-05T00:00:00Z", "2021-01-04T00:00:00Z",
                                        "2021-01-02T00:00:00Z", "2021-01-01T00:00:00Z"}));
    // The untagged newest is kept only by its protection.
    EXPECT_EQ(reasons_for(decisions, "2021-01-05T00:00:00Z"), (Reasons{"newest"}));
    // Reasons follow the order of keep_tags.
    EXPECT_EQ(reasons_for(decisions, "2021-01-02T00:00:00Z"),
              (Reasons{"tag pinned", "tag baseline"}));
    EXPECT_EQ(reasons_for(decisions, "2021-01-01T00:00:00Z"), (Reasons{"tag pinned"}));
}

TEST(RetentionPolicy, TiesKeepTheirInputOrder) {
    test::TzGuard tz("UTC");
    Candidate a = version("2021-01-02T00:00:00Z");
    a.id = "a";
    Candidate b = version("2021-01-02T00:00:00Z");
    b.id = "b";
    const Candidate older = version("2021-01-01T00:00:00Z");
    for (const RetentionPolicy& policy :
         std::vector<RetentionPolicy>{Policy().last(1), Policy().daily(1)}) {
        // The first of two equal times counts as the newer one, as in restic's stable sort.
        const auto ab = decide({older, a, b}, policy, k_now);
        EXPECT_EQ(test::all_ids(ab), (Ids{"a", "b", older.id}));
        EXPECT_EQ(kept_ids(ab), (Ids{"a"}));
        const auto ba = decide({b, older, a}, policy, k_now);
        EXPECT_EQ(kept_ids(ba), (Ids{"b"}));
    }
}

} // namespace
} // namespace mv::retention

namespace mv::retention {
namespace {

// The worked example of docs/CONFIG.md ("retention"): keep it true.
TEST(RetentionDocs, WorkedExampleOfConfigMd) {
    const test::TzGuard utc("UTC");
    const SystemTime newest = *parse_time("2026-11-22T18:00:00Z");
    std::vector<Candidate> saves;
    for (int i = 0; i < 480; ++i) { // every 6 hours for 120 days
        saves.push_back({std::to_string(i), newest - std::chrono::hours(6 * i), {}, false, false});
    }
    config::RetentionPolicy policy;
    policy.keep_within = std::chrono::hours(24 * 7);
    policy.keep_within_daily = std::chrono::hours(24 * 30);
    policy.keep_within_weekly = std::chrono::hours(24 * 90);
    policy.max_versions = 50;
    const auto decisions = decide(saves, policy, newest + std::chrono::minutes(1));
    std::size_t kept = 0;
    std::size_t within = 0;
    std::vector<std::string> capped;
    std::string oldest_kept;
    for (const auto& d : decisions) {
        if (d.verdict == Verdict::keep) {
            ++kept;
            within += d.reasons.front() == "within 7d" ? 1 : 0;
            oldest_kept = format_utc(d.time);
        } else if (d.reasons.front() == "over max_versions 50") {
            capped.push_back(format_utc(d.time));
        }
    }
    EXPECT_EQ(kept, 50u);
    EXPECT_EQ(within, 28u);
    EXPECT_EQ(oldest_kept, "2026-10-25T18:00:00Z");
    ASSERT_EQ(capped.size(), 9u);
    EXPECT_EQ(capped.front(), "2026-10-24T18:00:00Z");
    EXPECT_EQ(capped.back(), "2026-08-30T18:00:00Z");
}

} // namespace
} // namespace mv::retention
