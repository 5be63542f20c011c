#include "retention/keep_rules.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "retention/calendar.hpp"

namespace mv::retention {

namespace {

using config::Duration;

bool active(const std::optional<int>& count) {
    return count && *count > 0;
}

bool active(const std::optional<Duration>& duration) {
    return duration && duration->count() > 0;
}

// "keep the newest version of each of the N most recent buckets". `last` is the key of
// the bucket that most recently kept a version; restic compares each version only with
// that one, which works because versions arrive newest first.
struct CountRule {
    const char* name;
    std::optional<Bucket> bucket; // none: keep_last, where every version is its own bucket
    int total = 0;
    int remaining = 0;
    std::optional<std::int64_t> last;
};

// "keep the newest version of each bucket inside the window": no count.
struct WithinBucketRule {
    const char* name;
    Bucket bucket;
    Duration window{};
    SystemTime cutoff; // see cutoff_for()
    std::optional<std::int64_t> last;
};

// The reference for keep_within*: the newest version strictly before `now`. restic skips
// versions from the future here so that one wrong clock cannot expire everything.
std::optional<SystemTime> reference_time(const std::vector<Candidate>& sorted, SystemTime now) {
    const auto found = std::find_if(sorted.begin(), sorted.end(), [&](const Candidate& candidate) {
        return candidate.time < now;
    });
    if (found == sorted.end()) {
        return std::nullopt;
    }
    return found->time;
}

// The instant a version must be strictly after to be "within" `window` of `reference`.
// Whole days are calendar days in local time (restic's "7d" is AddDate(0, 0, -7)); the
// rest is exact time. Without a reference (every version is from the future) every
// version is within, as in restic, whose reference is then the zero time.
SystemTime cutoff_for(const std::optional<SystemTime>& reference, Duration window) {
    constexpr Duration k_day = std::chrono::hours(24);
    // A window of a thousand years reaches before any version; stopping there also keeps
    // the nanosecond arithmetic below far from overflow.
    constexpr Duration k_forever = k_day * 366 * 1000;
    if (!reference || window >= k_forever) {
        return SystemTime::min();
    }
    return subtract_local_days(*reference, window / k_day) - window % k_day;
}

bool inside(SystemTime time, SystemTime cutoff) {
    return time > cutoff;
}

} // namespace

bool has_keep_rules(const config::RetentionPolicy& policy) {
    return active(policy.keep_last) || active(policy.keep_hourly) || active(policy.keep_daily) ||
           active(policy.keep_weekly) || active(policy.keep_monthly) ||
           active(policy.keep_yearly) || active(policy.keep_within) ||
           active(policy.keep_within_hourly) || active(policy.keep_within_daily) ||
           active(policy.keep_within_weekly) || active(policy.keep_within_monthly) ||
           active(policy.keep_within_yearly) || !policy.keep_tags.empty();
}

namespace {

std::array<CountRule, 6> count_rules(const config::RetentionPolicy& policy) {
    std::array<CountRule, 6> counts{{
        {"last", std::nullopt, policy.keep_last.value_or(0), 0, std::nullopt},
        {"hourly", Bucket::hourly, policy.keep_hourly.value_or(0), 0, std::nullopt},
        {"daily", Bucket::daily, policy.keep_daily.value_or(0), 0, std::nullopt},
        {"weekly", Bucket::weekly, policy.keep_weekly.value_or(0), 0, std::nullopt},
        {"monthly", Bucket::monthly, policy.keep_monthly.value_or(0), 0, std::nullopt},
        {"yearly", Bucket::yearly, policy.keep_yearly.value_or(0), 0, std::nullopt},
    }};
    for (CountRule& rule : counts) {
        rule.total = std::max(rule.total, 0);
        rule.remaining = rule.total;
    }
    return counts;
}

std::vector<WithinBucketRule> within_bucket_rules(const config::RetentionPolicy& policy,
                                                  const std::optional<SystemTime>& reference) {
    std::vector<WithinBucketRule> rules;
    const auto add = [&](const char* name, Bucket bucket, const std::optional<Duration>& window) {
        if (active(window)) {
            rules.push_back({name, bucket, *window, cutoff_for(reference, *window), std::nullopt});
        }
    };
    add("hourly", Bucket::hourly, policy.keep_within_hourly);
    add("daily", Bucket::daily, policy.keep_within_daily);
    add("weekly", Bucket::weekly, policy.keep_within_weekly);
    add("monthly", Bucket::monthly, policy.keep_within_monthly);
    add("yearly", Bucket::yearly, policy.keep_within_yearly);
    return rules;
}

} // namespace

std::vector<std::vector<std::string>> apply_keep_rules(const std::vector<Candidate>& sorted,
                                                       const config::RetentionPolicy& policy,
                                                       SystemTime now) {
    std::array<CountRule, 6> counts = count_rules(policy);
    const std::optional<SystemTime> reference = reference_time(sorted, now);
    std::vector<WithinBucketRule> within_buckets = within_bucket_rules(policy, reference);

    SystemTime within_cutoff = SystemTime::min();
    std::string within_reason;
    if (active(policy.keep_within)) {
        within_cutoff = cutoff_for(reference, *policy.keep_within);
        within_reason = "within " + format_rule_duration(*policy.keep_within);
    }
    const bool needs_calendar = !within_buckets.empty() ||
                                std::any_of(counts.begin() + 1, counts.end(),
                                            [](const CountRule& rule) { return rule.total > 0; });

    std::vector<std::vector<std::string>> reasons(sorted.size());
    for (std::size_t nr = 0; nr < sorted.size(); ++nr) {
        const Candidate& version = sorted[nr];
        std::vector<std::string>& why = reasons[nr];

        // Tags are not counted: every matching version is kept.
        for (const std::string& tag : policy.keep_tags) {
            if (std::find(version.tags.begin(), version.tags.end(), tag) != version.tags.end()) {
                why.push_back("tag " + tag);
            }
        }
        if (active(policy.keep_within) && inside(version.time, within_cutoff)) {
            why.push_back(within_reason);
        }

        const LocalTime local = needs_calendar ? to_local(version.time) : LocalTime{};
        for (CountRule& rule : counts) {
            if (rule.remaining <= 0) {
                continue;
            }
            const std::int64_t key =
                rule.bucket ? bucket_key(local, *rule.bucket) : static_cast<std::int64_t>(nr);
            if (key != rule.last) {
                rule.last = key;
                --rule.remaining;
                why.push_back(fmt::format("{} #{}", rule.name, rule.total - rule.remaining));
            }
        }
        for (WithinBucketRule& rule : within_buckets) {
            if (!inside(version.time, rule.cutoff)) {
                continue;
            }
            const std::int64_t key = bucket_key(local, rule.bucket);
            if (key != rule.last) {
                rule.last = key;
                why.push_back(
                    fmt::format("within {} {}", rule.name, format_rule_duration(rule.window)));
            }
        }
    }
    return reasons;
}

std::string format_rule_duration(Duration duration) {
    // Days are the largest unit on purpose: restic and the config examples say "7d", and
    // "within 1w" would read as a different rule than the one the user wrote.
    struct Unit {
        const char* suffix;
        Duration size;
    };
    constexpr std::array<Unit, 4> k_units{{
        {"d", std::chrono::hours(24)},
        {"h", std::chrono::hours(1)},
        {"m", std::chrono::minutes(1)},
        {"s", std::chrono::seconds(1)},
    }};
    for (const Unit& unit : k_units) {
        if (duration.count() != 0 && duration % unit.size == Duration::zero()) {
            return fmt::format("{}{}", duration / unit.size, unit.suffix);
        }
    }
    return fmt::format("{}ms", duration.count());
}

} // namespace mv::retention
