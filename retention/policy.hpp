#pragma once
// The retention decision (docs/CONFIG.md `retention`): which versions of one model to keep, and
// why. A pure function of (versions, policy, now) with restic's `forget` semantics (restic 0.14),
// then modelvault's protections (newest, best, current) and the max_versions cap. It touches no
// file: the daemon applies the result.

#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "util/time.hpp"

namespace mv::retention {

/// One version of a model, as retention needs to see it.
struct Candidate {
    std::string id;                ///< opaque; returned unchanged in the Decision
    SystemTime time;               ///< creation time (UTC instant; buckets use local time)
    std::vector<std::string> tags; ///< matched against keep_tags
    bool best = false;             ///< holds the `best` tag: always kept
    bool current = false;          ///< the rolled-back `current` version: always kept
};

enum class Verdict { keep, remove };

/// What happens to one version and why. Reasons, in this order:
///   keep:   "tag pinned", "within 7d", "last #1", "hourly #2", "daily #3", "weekly #1",
///           "monthly #4", "yearly #1", "within hourly 2d" … "within yearly 730d",
///           or "no retention policy" / "no keep rules" when nothing constrains; then
///           the protections "newest", "best", "current";
///   remove: "no rule keeps it" or "over max_versions 50".
struct Decision {
    std::string id;
    SystemTime time;
    Verdict verdict = Verdict::keep;
    std::vector<std::string> reasons;
};

/// Decides every candidate; the result is newest first, versions with equal times in
/// their input order. Buckets use the process's local time zone; keep_within* count back
/// from the newest version strictly before `now` (restic ignores versions from the
/// future there). Same inputs and TZ give the same output.
std::vector<Decision> decide(std::vector<Candidate> candidates,
                             const std::optional<config::RetentionPolicy>& policy, SystemTime now);

/// True when `policy` keeps everything: absent, or no key that constrains (counts and
/// durations of 0 do not constrain, as in restic).
bool keeps_everything(const std::optional<config::RetentionPolicy>& policy);

/// "keep" or "remove".
const char* to_string(Verdict verdict);

} // namespace mv::retention
