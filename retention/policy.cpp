#include "retention/policy.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "retention/keep_rules.hpp"

namespace mv::retention {

namespace {

bool has_any_tag(const Candidate& version, const std::vector<std::string>& tags) {
    return std::any_of(version.tags.begin(), version.tags.end(), [&](const std::string& tag) {
        return std::find(tags.begin(), tags.end(), tag) != tags.end();
    });
}

// max_versions: remove the oldest kept versions until the count fits, skipping the ones
// docs/CONFIG.md `retention` protects (newest, best, current, keep_tags), even when a calendar rule
// kept them. When the protected versions alone exceed the cap, they all stay.
void apply_cap(std::vector<Decision>& decisions, const std::vector<Candidate>& sorted,
               const config::RetentionPolicy& policy, int cap) {
    cap = std::max(cap, 0);
    auto kept = std::count_if(decisions.begin(), decisions.end(), [](const Decision& decision) {
        return decision.verdict == Verdict::keep;
    });
    const std::string reason = fmt::format("over max_versions {}", cap);
    for (std::size_t i = decisions.size(); i-- > 0 && kept > cap;) {
        const Candidate& version = sorted[i];
        const bool is_protected =
            i == 0 || version.best || version.current || has_any_tag(version, policy.keep_tags);
        if (decisions[i].verdict == Verdict::keep && !is_protected) {
            decisions[i].verdict = Verdict::remove;
            decisions[i].reasons = {reason};
            --kept;
        }
    }
}

} // namespace

std::vector<Decision> decide(std::vector<Candidate> candidates,
                             const std::optional<config::RetentionPolicy>& policy, SystemTime now) {
    // Newest first; equal times keep their input order so that the answer (which of two
    // twins a bucket keeps) never depends on the sort algorithm. Sorting compact
    // (time, index) keys and moving each candidate once is much faster than sorting the
    // candidates themselves.
    std::vector<std::pair<SystemTime, std::size_t>> order(candidates.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = {candidates[i].time, i};
    }
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<Candidate> sorted;
    sorted.reserve(candidates.size());
    for (const auto& [time, index] : order) {
        sorted.push_back(std::move(candidates[index]));
    }
    candidates = std::move(sorted);

    std::vector<std::vector<std::string>> reasons;
    if (policy && has_keep_rules(*policy)) {
        reasons = apply_keep_rules(candidates, *policy, now);
    } else {
        // restic keeps everything under an empty policy; so do we, and say why.
        reasons.assign(candidates.size(), {policy ? std::string("no keep rules")
                                                  : std::string("no retention policy")});
    }

    std::vector<Decision> decisions;
    decisions.reserve(candidates.size());
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& version = candidates[i];
        std::vector<std::string>& why = reasons[i];
        // The protections come last so that the rules that would have kept the version
        // anyway stay visible in `prune --dry-run`.
        if (i == 0) {
            why.emplace_back("newest");
        }
        if (version.best) {
            why.emplace_back("best");
        }
        if (version.current) {
            why.emplace_back("current");
        }
        Decision decision{version.id, version.time, Verdict::keep, std::move(why)};
        if (decision.reasons.empty()) {
            decision.verdict = Verdict::remove;
            decision.reasons = {"no rule keeps it"};
        }
        decisions.push_back(std::move(decision));
    }

    if (policy && policy->max_versions) {
        apply_cap(decisions, candidates, *policy, *policy->max_versions);
    }
    return decisions;
}

bool keeps_everything(const std::optional<config::RetentionPolicy>& policy) {
    return !policy || (!has_keep_rules(*policy) && !policy->max_versions);
}

const char* to_string(Verdict verdict) {
    switch (verdict) {
    case Verdict::keep:
        return "keep";
    case Verdict::remove:
        return "remove";
    }
    return "keep";
}

} // namespace mv::retention
