#pragma once
// Small builders for retention tests: versions named by their time, and views of the
// decisions that read well in EXPECT_EQ.

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/model.hpp"
#include "retention/policy.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

namespace mv::test {

/// The instant of an ISO 8601 text ("2021-01-04T10:00:00Z"; no offset means UTC).
inline SystemTime at(std::string_view iso) {
    return value_or_throw(parse_time(iso), "test time: ");
}

/// A version whose id is its time text.
inline retention::Candidate version(std::string_view iso, std::vector<std::string> tags = {}) {
    retention::Candidate candidate;
    candidate.id = std::string(iso);
    candidate.time = at(iso);
    candidate.tags = std::move(tags);
    return candidate;
}

/// The ids of the kept versions, in the decisions' order (newest first).
inline std::vector<std::string> kept_ids(const std::vector<retention::Decision>& decisions) {
    std::vector<std::string> ids;
    for (const retention::Decision& decision : decisions) {
        if (decision.verdict == retention::Verdict::keep) {
            ids.push_back(decision.id);
        }
    }
    return ids;
}

/// The ids of all versions, in the decisions' order.
inline std::vector<std::string> all_ids(const std::vector<retention::Decision>& decisions) {
    std::vector<std::string> ids;
    for (const retention::Decision& decision : decisions) {
        ids.push_back(decision.id);
    }
    return ids;
}

/// The decision about `id`; throws when there is none.
inline const retention::Decision& decision_for(const std::vector<retention::Decision>& decisions,
                                               std::string_view id) {
    const auto found = std::find_if(decisions.begin(), decisions.end(),
                                    [&](const retention::Decision& d) { return d.id == id; });
    if (found == decisions.end()) {
        throw std::runtime_error("no decision for " + std::string(id));
    }
    return *found;
}

/// The reasons given for `id`.
inline std::vector<std::string> reasons_for(const std::vector<retention::Decision>& decisions,
                                            std::string_view id) {
    return decision_for(decisions, id).reasons;
}

/// Builds a RetentionPolicy field by field: Policy().daily(7).within(days(2)).tags({"x"}).
/// (GCC 12 warns about designated initializers that leave fields out.)
class Policy {
public:
    Policy& last(int n) { return set(m_policy.keep_last, n); }
    Policy& hourly(int n) { return set(m_policy.keep_hourly, n); }
    Policy& daily(int n) { return set(m_policy.keep_daily, n); }
    Policy& weekly(int n) { return set(m_policy.keep_weekly, n); }
    Policy& monthly(int n) { return set(m_policy.keep_monthly, n); }
    Policy& yearly(int n) { return set(m_policy.keep_yearly, n); }
    Policy& within(config::Duration d) { return set(m_policy.keep_within, d); }
    Policy& within_hourly(config::Duration d) { return set(m_policy.keep_within_hourly, d); }
    Policy& within_daily(config::Duration d) { return set(m_policy.keep_within_daily, d); }
    Policy& within_weekly(config::Duration d) { return set(m_policy.keep_within_weekly, d); }
    Policy& within_monthly(config::Duration d) { return set(m_policy.keep_within_monthly, d); }
    Policy& within_yearly(config::Duration d) { return set(m_policy.keep_within_yearly, d); }
    Policy& tags(std::vector<std::string> tags) {
        m_policy.keep_tags = std::move(tags);
        return *this;
    }
    Policy& max_versions(int n) { return set(m_policy.max_versions, n); }
    operator config::RetentionPolicy() const { return m_policy; } // NOLINT: by design

private:
    template <typename Field, typename Value>
    Policy& set(Field& field, Value value) {
        field = value;
        return *this;
    }
    config::RetentionPolicy m_policy;
};

/// `n` days as a config duration.
constexpr config::Duration days(int n) {
    return std::chrono::hours(24 * n);
}

} // namespace mv::test
