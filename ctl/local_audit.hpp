#pragma once
// What modelvaultctl changes in a vault by itself, without the daemon — `key add`,
// `key remove`, `vault encrypt` — goes to the audit log the daemon writes, with `via:
// "ctl"` (docs/NOTIFICATIONS.md, "Audit log"): an admin's key change is as visible as a
// restore.

#include <filesystem>
#include <optional>
#include <string>

#include "util/error.hpp"

namespace mv::ctl {

/// Appends the record of `command` about `target` by this process's user to `vault`'s
/// audit log: "ok" when `failure` is empty, else "denied" (forbidden) or "failed". A log
/// that cannot be written is named on stderr; the operation's own result stands.
void audit_locally(const std::filesystem::path& vault, const std::string& command,
                   const std::string& target, const std::optional<Error>& failure);

} // namespace mv::ctl
