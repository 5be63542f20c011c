#pragma once
// Compatibility of a version with a run (docs/CONFIG.md, `compat`): the values of the
// watch's compat keys that a version recorded, against those of another config file.
// Pure functions over JSON values and manifests; the callers read the files, the vault
// or a replica (the daemon's restore and list, modelvaultctl's restore --replica).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/model.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// {pointer: value} for each key of `rule` that `document` (the compat file) has; missing
/// keys are left out: they cannot break compatibility.
nlohmann::json compat_values(const config::Compat& rule, const nlohmann::json& document);

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

/// Throws Error(conflict) when `manifest` does not match the run's compat file
/// (`run_name`, `run_document`) under `rule`: every differing key with its stored and
/// current value, and the newest of `versions` (the model's, oldest first) that matches.
/// Throws Error(invalid_argument) without a rule (the model's watch has no `compat`).
/// `restore_options` go into the advised restore command (" --replica offsite").
void require_compatible(const std::optional<config::Compat>& rule, const Manifest& manifest,
                        const std::vector<Manifest>& versions, const std::string& run_name,
                        const nlohmann::json& run_document,
                        const std::string& restore_options = "");

} // namespace mv::vault
