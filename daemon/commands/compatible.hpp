#pragma once
// `--compatible-with FILE` of restore and list (docs/PROTOCOL.md): the client reads the
// run's compat file (as the user) and sends it as {"name", "document"}; the version's
// recorded compat values are compared with it under the model's watch's compat keys.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/commands/common.hpp"

namespace mv::daemon {
class Services;
}

namespace mv::daemon::commands {

struct RunCompat {
    std::string name; ///< the file as the user named it, for messages
    json document;
};

/// The "compatible_with" argument, if present; throws Error(invalid_argument) when it is
/// not {"name": string, "document": any JSON}.
std::optional<RunCompat> optional_run_compat(const json& args);

/// The compat keys of `model`'s watch; nullopt when the watch is not configured or has
/// no `compat`.
std::optional<config::Compat> compat_rule_of(Services& services, const std::string& model);

/// `list --compatible-with`: the compat keys of each of `models`. Models whose watch has
/// none are removed from `models` (a warning says how many); throws Error(invalid_argument)
/// when none is left.
std::map<std::string, config::Compat> compat_rules_for(Services& services,
                                                       std::vector<std::string>& models,
                                                       const RunCompat& run, json& warnings);

/// Throws Error(conflict) naming every key whose stored and current value differ, and the
/// newest version of the model that matches (if any); Error(invalid_argument) when the
/// watch has no compat keys to compare.
void require_compatible(Services& services, const vault::Manifest& manifest, const RunCompat& run);

} // namespace mv::daemon::commands
