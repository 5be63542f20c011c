#pragma once
// Helpers shared by the command handlers: typed access to request arguments (with
// errors a client can act on), version targets "MODEL[@SELECTOR]", and the JSON shapes
// commands return (docs/PROTOCOL.md).

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/time.hpp"
#include "vault/manifest.hpp"
#include "vault/vault.hpp"

namespace mv::daemon {
class Services;
}

namespace mv::daemon::commands {

using nlohmann::json;

/// The string argument `key`, if present; throws Error(invalid_argument) for another type.
std::optional<std::string> optional_string(const json& args, const char* key);
/// Like optional_string, but absent is an error too.
std::string required_string(const json& args, const char* key);
/// A boolean flag; absent = false.
bool flag(const json& args, const char* key);
/// An array of strings; absent = empty.
std::vector<std::string> string_list(const json& args, const char* key);
/// A non-negative integer argument, if present.
std::optional<std::uint64_t> optional_count(const json& args, const char* key);

/// Throws Error(invalid_argument) for a tag a user may not set: `best`, `current` and
/// `latest` (maintained by modelvaultd), or characters other than letters, digits, . _ -.
void check_tag(const std::string& tag);

/// A note by `uid` at the clock's now, checked: 1 to 4096 bytes of text, tags as
/// check_tag() wants them (sorted, each once). Throws Error(invalid_argument).
vault::Note new_note(const Clock& clock, uid_t uid, std::string text,
                     std::vector<std::string> tags);

/// The models `name` covers: that model, every model of the watch of that name (none yet
/// is fine for a configured watch), or every model in the vault when nullopt. Throws
/// Error(not_found) naming both possibilities when it is neither.
std::vector<std::string> models_in_scope(Services& services,
                                         const std::optional<std::string>& name);

/// A model and a version selector.
struct Target {
    std::string model;
    std::string selector; ///< empty: latest
};

/// Reads {"target":"MODEL[@SEL]"} or {"model":…, "selector":…}. Model ids may contain
/// '@', so the split is the one whose left side is a model the vault knows; throws
/// Error(not_found) saying which models exist when none matches.
Target parse_target(const vault::Vault& vault, const json& args);

/// Error(not_found) for a model the vault does not hold, saying how many it holds.
Error unknown_model(const vault::Vault& vault, const std::string& model);

/// The version `target` names; throws Error(not_found) that lists what exists.
vault::Manifest resolve(const vault::Vault& vault, const Target& target);

/// One row of `list`: the fields a table needs (tags include `best`/`current`).
json version_summary(const vault::Vault& vault, const vault::Manifest& manifest);

/// The manifest as JSON with the live tags (`best`/`current` included).
json manifest_json(const vault::Vault& vault, const vault::Manifest& manifest);

} // namespace mv::daemon::commands
