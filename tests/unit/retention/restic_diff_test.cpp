// Differential test against the real restic (0.14, Debian 12): for seeded random sets of
// version times and a range of policies, what retention::decide keeps by its rules must
// be exactly what `restic forget --dry-run --json` keeps for snapshots at the same times,
// with the same reasons and bucket counters. restic never protects the newest snapshot
// (`--keep-tag` alone can forget them all); decide() always keeps it, which is the one
// difference this test allows.
//
// Cost: every restic invocation spends ~0.5 s deriving its key (scrypt), so the test
// makes one repository with one host per time set, runs two restic processes at a time,
// and asks each `forget` about all sets at once.

#include <algorithm>
#include <ctime>
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "retention/policy.hpp"
#include "tests/lib/temp_dir.hpp"
#include "tests/unit/retention/helpers.hpp"
#include "tests/unit/retention/process.hpp"
#include "tests/unit/retention/tz_guard.hpp"

namespace mv::retention {
namespace {

using config::RetentionPolicy;
using nlohmann::json;
using test::days;
using test::Policy;
using namespace std::chrono_literals;

// ---- time sets ------------------------------------------------------------------------

std::string local_text(SystemTime time) {
    const std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
    return buffer;
}

struct PlannedVersion {
    std::string local_time; // what `restic backup --time` gets (local wall clock)
    std::vector<std::string> tags;
};

// `count` versions over 2021–2023: some spread evenly, some in bursts (so that hourly
// and daily buckets hold several), some around year ends and DST changes.
std::vector<PlannedVersion> plan_versions(unsigned seed, int count, bool with_future) {
    std::mt19937 random(seed);
    const SystemTime start = test::at("2021-01-01T00:00:00Z");
    const auto span = std::chrono::duration_cast<std::chrono::seconds>(days(3 * 365)).count();
    const auto uniform = [&](long long low, long long high) {
        return std::uniform_int_distribution<long long>(low, high)(random);
    };
    const std::vector<SystemTime> edges = {
        test::at("2021-01-03T12:00:00Z"), test::at("2022-01-01T00:00:00Z"),
        test::at("2023-01-01T00:00:00Z"), test::at("2021-03-14T07:00:00Z"),
        test::at("2021-11-07T06:00:00Z"), test::at("2022-03-13T07:00:00Z"),
        test::at("2022-11-06T06:00:00Z"), test::at("2023-12-31T12:00:00Z"),
    };
    std::vector<SystemTime> anchors;
    for (int i = 0; i < 4; ++i) {
        anchors.push_back(start + std::chrono::seconds(uniform(0, span)));
    }

    std::set<std::string> seen;
    std::vector<PlannedVersion> planned;
    while (static_cast<int>(planned.size()) < count) {
        const long long kind = uniform(0, 99);
        SystemTime time;
        if (kind < 45) {
            time = start + std::chrono::seconds(uniform(0, span));
        } else if (kind < 80) {
            time = anchors[static_cast<std::size_t>(uniform(0, 3))] +
                   std::chrono::seconds(uniform(-40 * 3600, 40 * 3600));
        } else {
            time = edges[static_cast<std::size_t>(uniform(0, 7))] +
                   std::chrono::seconds(uniform(-72 * 3600, 72 * 3600));
        }
        PlannedVersion version{local_text(time), {}};
        if (uniform(0, 99) < 12) {
            version.tags.emplace_back("pinned");
        }
        if (uniform(0, 99) < 6) {
            version.tags.emplace_back("exp");
        }
        if (seen.insert(version.local_time).second) {
            planned.push_back(version);
        }
    }
    if (with_future) {
        // restic measures keep_within* from the newest snapshot that is not in the future.
        planned.push_back({local_text(std::chrono::system_clock::now() + days(3 * 365)), {}});
    }
    return planned;
}

// ---- policies and their restic options ------------------------------------------------

std::string restic_duration(config::Duration duration) {
    // Whole days are calendar days in both; the rest must be whole hours for restic.
    const auto day_count = duration / days(1);
    const auto rest = duration % days(1);
    EXPECT_EQ(rest % std::chrono::hours(1), config::Duration::zero());
    std::string text;
    if (day_count > 0) {
        text += std::to_string(day_count) + "d";
    }
    if (rest > config::Duration::zero()) {
        text += std::to_string(rest / std::chrono::hours(1)) + "h";
    }
    return text;
}

std::vector<std::string> restic_options(const RetentionPolicy& policy) {
    std::vector<std::string> options;
    const auto count = [&](const char* flag, const std::optional<int>& value) {
        if (value) {
            options.insert(options.end(), {flag, std::to_string(*value)});
        }
    };
    const auto duration = [&](const char* flag, const std::optional<config::Duration>& value) {
        if (value) {
            options.insert(options.end(), {flag, restic_duration(*value)});
        }
    };
    count("--keep-last", policy.keep_last);
    count("--keep-hourly", policy.keep_hourly);
    count("--keep-daily", policy.keep_daily);
    count("--keep-weekly", policy.keep_weekly);
    count("--keep-monthly", policy.keep_monthly);
    count("--keep-yearly", policy.keep_yearly);
    duration("--keep-within", policy.keep_within);
    duration("--keep-within-hourly", policy.keep_within_hourly);
    duration("--keep-within-daily", policy.keep_within_daily);
    duration("--keep-within-weekly", policy.keep_within_weekly);
    duration("--keep-within-monthly", policy.keep_within_monthly);
    duration("--keep-within-yearly", policy.keep_within_yearly);
    for (const std::string& tag : policy.keep_tags) {
        options.insert(options.end(), {"--keep-tag", tag});
    }
    return options;
}

struct NamedPolicy {
    const char* name;
    RetentionPolicy policy;
};

const std::vector<NamedPolicy> k_policies = {
    {"last 5", Policy().last(5)},
    {"hourly 12", Policy().hourly(12)},
    {"daily 10", Policy().daily(10)},
    {"weekly 12", Policy().weekly(12)},
    {"monthly 9", Policy().monthly(9)},
    {"yearly 2", Policy().yearly(2)},
    {"within 45d", Policy().within(days(45))},
    {"within 36h", Policy().within(std::chrono::hours(36))},
    {"within hourly 3d + daily 20d", Policy().within_hourly(days(3)).within_daily(days(20))},
    {"within weekly/monthly/yearly",
     Policy().within_weekly(days(120)).within_monthly(days(400)).within_yearly(days(900))},
    {"tags pinned, exp", Policy().tags({"pinned", "exp"})},
    {"tag exp alone", Policy().tags({"exp"})},
    {"daily 1 + monthly 40", Policy().daily(1).monthly(40)},
    {"everything", Policy()
                       .last(3)
                       .hourly(4)
                       .daily(7)
                       .weekly(5)
                       .monthly(6)
                       .yearly(3)
                       .within(days(10))
                       .within_daily(days(30))
                       .tags({"pinned"})},
};

// ---- comparing reasons ----------------------------------------------------------------

// restic's "daily snapshot", "within 45d", "daily within 20d", "has tags [pinned]" and our
// "daily #3", "within 45d", "within daily 20d", "tag pinned" reduced to a common kind.
std::string restic_kind(const std::string& match) {
    if (match.rfind("has tags [", 0) == 0) {
        return "tag " + match.substr(10, match.size() - 11);
    }
    if (match.rfind("within ", 0) == 0) {
        return "within";
    }
    const auto space = match.find(' ');
    if (match.compare(space + 1, 7, "within ") == 0) {
        return "within " + match.substr(0, space);
    }
    return match.substr(0, space); // "daily snapshot" → "daily"
}

std::string our_kind(const std::string& reason) {
    if (reason.rfind("tag ", 0) == 0) {
        return reason;
    }
    const auto space = reason.find(' ');
    if (reason.rfind("within ", 0) == 0) {
        const std::string rest = reason.substr(7);
        const auto second = rest.find(' ');
        return second == std::string::npos ? "within" : "within " + rest.substr(0, second);
    }
    return reason.substr(0, space); // "daily #3" → "daily"
}

bool is_protection(const std::string& reason) {
    return reason == "newest" || reason == "best" || reason == "current";
}

const char* counter_name(const std::string& kind) {
    for (const char* name : {"last", "hourly", "daily", "weekly", "monthly", "yearly"}) {
        if (kind == name) {
            return name;
        }
    }
    return nullptr;
}

int policy_count(const RetentionPolicy& policy, const std::string& kind) {
    const std::map<std::string, std::optional<int>> counts = {
        {"last", policy.keep_last},       {"hourly", policy.keep_hourly},
        {"daily", policy.keep_daily},     {"weekly", policy.keep_weekly},
        {"monthly", policy.keep_monthly}, {"yearly", policy.keep_yearly}};
    return counts.at(kind).value_or(0);
}

// One snapshot group (one time set) of one `forget` answer against decide().
void compare_group(const std::vector<Candidate>& candidates, const RetentionPolicy& policy,
                   const json& group, SystemTime now) {
    // "reasons" runs parallel to "keep" (its snapshots carry no id); both are null when
    // restic keeps nothing.
    std::map<std::string, const json*> restic_reasons; // id → {matches, counters}
    const json& keep = group.at("keep");
    const json& reasons = group.at("reasons");
    ASSERT_EQ(keep.is_null() ? 0 : keep.size(), reasons.is_null() ? 0 : reasons.size());
    for (std::size_t i = 0; !keep.is_null() && i < keep.size(); ++i) {
        restic_reasons[keep[i].at("id").get<std::string>()] = &reasons[i];
    }
    const auto decisions = decide(candidates, policy, now);
    ASSERT_EQ(decisions.size(), candidates.size());
    EXPECT_EQ(decisions.front().verdict, Verdict::keep) << "the newest is always kept";

    for (const Decision& decision : decisions) {
        SCOPED_TRACE(format_utc(decision.time) + " " + decision.id.substr(0, 8));
        std::vector<std::string> ours;
        for (const std::string& reason : decision.reasons) {
            if (decision.verdict == Verdict::keep && !is_protection(reason)) {
                ours.push_back(our_kind(reason));
            }
        }
        const auto found = restic_reasons.find(decision.id);
        if (found == restic_reasons.end()) {
            // restic forgets it: no rule of ours may keep it; only a protection might.
            EXPECT_TRUE(ours.empty())
                << "we keep it by " << decision.reasons.front() << ", restic forgets it";
            if (decision.verdict == Verdict::keep) {
                EXPECT_EQ(decision.reasons, std::vector<std::string>{"newest"});
            }
            continue;
        }
        EXPECT_EQ(decision.verdict, Verdict::keep) << "restic keeps it, we remove it";
        std::vector<std::string> theirs;
        for (const json& match : found->second->at("matches")) {
            theirs.push_back(restic_kind(match.get<std::string>()));
        }
        EXPECT_EQ(ours, theirs);

        // "daily #3" means three daily buckets are used up: restic's counter says the rest.
        const json& counters = found->second->at("counters");
        for (const std::string& reason : decision.reasons) {
            const auto hash = reason.find(" #");
            if (hash == std::string::npos) {
                continue;
            }
            const std::string kind = reason.substr(0, hash);
            const int used = std::stoi(reason.substr(hash + 2));
            const int left = counters.value(counter_name(kind), 0);
            EXPECT_EQ(policy_count(policy, kind) - used, left) << reason;
        }
    }
}

// ---- the test -------------------------------------------------------------------------

TEST(RetentionResticDiff, KeepSetsMatchRealRestic) {
    // New York: DST changes and a year end that is not UTC's, for buckets and keep_within.
    test::TzGuard tz("America/New_York");
    const test::TempDir dir("restic-diff");
    const auto scratch = dir.path();

    const test::ProcessResult version = test::run({"restic", "version"}, scratch);
    ASSERT_EQ(version.exit_code, 0)
        << "this test needs the restic binary (0.14 or later): apt-get install restic\n"
        << version.err;

    test::write_file(dir / "password", "modelvault-test\n");
    test::write_file(dir / "data" / "model.bin", "tiny model\n");
    const std::vector<std::string> restic = {"restic",
                                             "--repo",
                                             (dir / "repo").string(),
                                             "--password-file",
                                             (dir / "password").string(),
                                             "--no-cache",
                                             "--quiet"};
    const auto command = [&](std::vector<std::string> args) {
        std::vector<std::string> full = restic;
        full.insert(full.end(), args.begin(), args.end());
        return full;
    };
    const test::ProcessResult init = test::run(command({"init"}), scratch);
    ASSERT_EQ(init.exit_code, 0) << init.err;

    // One host per time set: `forget` groups snapshots by host (and paths).
    struct TimeSet {
        unsigned seed;
        int count;
        bool with_future;
    };
    const std::vector<TimeSet> sets = {{1, 35, true}, {2, 45, false}, {3, 55, false}};
    std::vector<std::vector<std::string>> backups;
    std::size_t planned_total = 0;
    for (std::size_t s = 0; s < sets.size(); ++s) {
        for (const PlannedVersion& planned :
             plan_versions(sets[s].seed, sets[s].count, sets[s].with_future)) {
            std::vector<std::string> args = {"backup", "--host", "set" + std::to_string(s),
                                             "--time", planned.local_time};
            for (const std::string& tag : planned.tags) {
                args.insert(args.end(), {"--tag", tag});
            }
            args.push_back((dir / "data" / "model.bin").string());
            backups.push_back(command(args));
            ++planned_total;
        }
    }
    for (const test::ProcessResult& result : test::run_all(backups, scratch, 2)) {
        ASSERT_EQ(result.exit_code, 0) << result.err;
    }

    // Our candidates are restic's snapshots as restic recorded them (time with offset).
    const test::ProcessResult listed = test::run(command({"snapshots", "--json"}), scratch);
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    std::map<std::string, std::vector<Candidate>> by_host;
    for (const json& snapshot : json::parse(listed.out)) {
        Candidate candidate;
        candidate.id = snapshot.at("id").get<std::string>();
        candidate.time = test::at(snapshot.at("time").get<std::string>());
        if (snapshot.contains("tags") && snapshot.at("tags").is_array()) {
            candidate.tags = snapshot.at("tags").get<std::vector<std::string>>();
        }
        by_host[snapshot.at("hostname").get<std::string>()].push_back(candidate);
    }
    ASSERT_EQ(by_host.size(), sets.size());
    std::size_t listed_total = 0;
    for (const auto& [host, candidates] : by_host) {
        listed_total += candidates.size();
    }
    ASSERT_EQ(listed_total, planned_total);

    std::vector<std::vector<std::string>> forgets;
    for (const NamedPolicy& named : k_policies) {
        std::vector<std::string> args = {"forget", "--no-lock", "--dry-run", "--json"};
        const auto options = restic_options(named.policy);
        args.insert(args.end(), options.begin(), options.end());
        forgets.push_back(command(args));
    }
    const auto answers = test::run_all(forgets, scratch, 2);
    const SystemTime now = std::chrono::system_clock::now();

    for (std::size_t p = 0; p < k_policies.size(); ++p) {
        SCOPED_TRACE(k_policies[p].name);
        ASSERT_EQ(answers[p].exit_code, 0) << answers[p].err;
        const json groups = json::parse(answers[p].out);
        ASSERT_EQ(groups.size(), sets.size());
        for (const json& group : groups) {
            const std::string host = group.at("host").get<std::string>();
            SCOPED_TRACE(host);
            compare_group(by_host.at(host), k_policies[p].policy, group, now);
        }
    }
}

} // namespace
} // namespace mv::retention
