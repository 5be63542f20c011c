#pragma once
// The keep_* rules alone, evaluated exactly as restic 0.14's `forget` evaluates its
// --keep-* options (internal/restic/snapshot_policy.go): no protections, no cap. decide()
// in retention/policy.hpp adds those; the differential test compares this part with the
// real restic.

#include <string>
#include <vector>

#include "config/model.hpp"
#include "retention/policy.hpp"
#include "util/time.hpp"

namespace mv::retention {

/// True when some keep_* key constrains: a count > 0, a duration > 0 or a keep_tag.
/// Without one, restic keeps everything (its "empty policy").
bool has_keep_rules(const config::RetentionPolicy& policy);

/// For `sorted` (newest first), the reasons each version is kept by the keep_* rules, in
/// restic's order: tags, keep_within, last/hourly/daily/weekly/monthly/yearly (numbered
/// by bucket, "daily #3"), keep_within_* buckets. An empty list means restic would
/// remove it. Call only when has_keep_rules(policy).
std::vector<std::vector<std::string>> apply_keep_rules(const std::vector<Candidate>& sorted,
                                                       const config::RetentionPolicy& policy,
                                                       SystemTime now);

/// A duration in its largest exact unit up to days: "7d", "14d", "36h", "90m", "1500ms".
std::string format_rule_duration(config::Duration duration);

} // namespace mv::retention
