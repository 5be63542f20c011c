#pragma once
// Which command a hook runs for an event, and its arguments and environment
// (docs/NOTIFICATIONS.md, "Hooks"). Pure: the process itself is hook_runner's.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace mv::notify {

/// The hook that follows `kind`: on_backup (backup_created), on_prune (pruned),
/// on_restore (restored), on_failure (backup_failed, replica_failed, disk_low).
std::string_view hook_name(config::NotifyEvent kind);

/// The argv template configured for `kind`: the watch's own setting when it has one
/// (`watch` may be null), else the global one. Empty: no hook.
const std::vector<std::string>& hook_template(const config::Hooks& global,
                                              const config::WatchHooks* watch,
                                              config::NotifyEvent kind);

/// `argv` with every {name} replaced by values[name] ("" when absent), "{{" and "}}"
/// by "{" and "}". Arguments that break the grammar (the config refuses them) are kept
/// as they are.
std::vector<std::string> expand_arguments(const std::vector<std::string>& argv,
                                          const std::map<std::string, std::string>& values);

/// Who a hook runs as, for its HOME, USER and LOGNAME.
struct HookAccount {
    std::string name;
    std::string home;
};

/// A hook's whole environment ("NAME=value"): a fixed PATH, LANG=C.UTF-8, HOME, USER and
/// LOGNAME of `account`, MODELVAULT_HOOK=`hook`, and MODELVAULT_<NAME> for each value.
/// Nothing of the daemon's own environment is passed on. Values with a NUL are cut there.
std::vector<std::string> hook_environment(const std::map<std::string, std::string>& values,
                                          const HookAccount& account, std::string_view hook);

} // namespace mv::notify
