#pragma once
// Internal to config/: the keys that tell the world what happened — hooks (global and per
// watch), webhooks, metrics, dbus and warn_free_below (docs/CONFIG.md).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "config/detail/checker.hpp"
#include "config/detail/json_values.hpp"
#include "config/model.hpp"

namespace mv::config::detail {

/// `hooks`: the argv arrays, `timeout` and `user`.
void read_hooks(const Json& value, const KeyPath& path, Checker& checker, Hooks& hooks);

/// A watch's (or `defaults`') `hooks`: argv arrays only; what is set overrides.
void read_watch_hooks(const Json& value, const KeyPath& path, Checker& checker, WatchHooks& hooks);

/// `webhooks`: an array of {url, events, secret_file}.
void read_webhooks(const Json& value, const KeyPath& path, Checker& checker,
                   const std::filesystem::path& base_dir, std::vector<Webhook>& webhooks);

/// `metrics`: {textfile}.
void read_metrics(const Json& value, const KeyPath& path, Checker& checker,
                  const std::filesystem::path& base_dir, MetricsOutput& metrics);

/// `dbus`: {bus}.
void read_dbus(const Json& value, const KeyPath& path, Checker& checker, DBus& dbus);

/// `reports`: {"at": "HH:MM", "dir": PATH}, both required.
void read_reports(const Json& value, const KeyPath& path, Checker& checker,
                  const std::filesystem::path& base_dir, Reports& reports);

/// A size string ("10GiB", config/size.hpp).
std::optional<std::uint64_t> to_size(const Json& value, const KeyPath& path, Checker& checker);

} // namespace mv::config::detail
