#pragma once
// Internal to config/: reading one watch object (docs/CONFIG.md) into a Watch.

#include <filesystem>

#include "config/detail/checker.hpp"
#include "config/detail/json_values.hpp"
#include "config/model.hpp"

namespace mv::config::detail {

/// What a watch object is: a complete watch, or the `defaults` section, which may not
/// set name or path and may leave required keys (e.g. `metric`) to the watches.
enum class WatchMode { complete, defaults };

/// Reads `value` (a watch with defaults already merged in) into `watch`, reporting
/// problems at key paths under `path`. Relative watch paths resolve against `base_dir`.
void read_watch(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                const std::filesystem::path& base_dir, Watch& watch);

/// The `triggers` object of a watch.
void read_triggers(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                   Triggers& triggers);

/// The `compat` object of a watch.
void read_compat(const Json& value, const KeyPath& path, Checker& checker, WatchMode mode,
                 Compat& compat);

/// The `checkpoints` key of a watch: a preset name or {"preset", "pattern", "name"}.
void read_checkpoints(const Json& value, const KeyPath& path, Checker& checker,
                      Checkpoints& checkpoints);

/// The `retention` object of a watch.
void read_retention(const Json& value, const KeyPath& path, Checker& checker,
                    RetentionPolicy& retention);

} // namespace mv::config::detail
