#pragma once
// Compatibility of a version with a run (docs/CONFIG.md, `compat`): the values of the
// watch's compat keys that a version recorded, against those of another config file.
// Pure functions over JSON values; the callers read the files and the vault.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/model.hpp"

namespace mv::daemon {

/// {pointer: value}, for each key the last value any version recorded: `recorded` holds
/// the compat objects of a model's versions, newest first. A version whose compat file
/// was missing (or lacked a key) does not hide an earlier value, so [16] → (missing) →
/// [12] is still a change.
nlohmann::json last_recorded_compat(const std::vector<nlohmann::json>& recorded);

struct CompatDifference {
    std::string key;        ///< JSON pointer
    nlohmann::json stored;  ///< null when the version did not record the key
    nlohmann::json current; ///< null when the file has no value there
};

/// The keys of `rule` whose value `stored` (a version's compat object) and `document`
/// (the run's compat file) disagree on; a key recorded on one side only differs, a key on
/// neither side does not.
std::vector<CompatDifference> compat_differences(const config::Compat& rule,
                                                 const nlohmann::json& stored,
                                                 const nlohmann::json& document);

/// "/observation_space_shape: stored [16], this run [12]" for each difference, one per line
/// (each indented by two spaces).
std::string describe(const std::vector<CompatDifference>& differences);

} // namespace mv::daemon
