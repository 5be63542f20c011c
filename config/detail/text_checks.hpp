#pragma once
// Internal to config/: checks of string values (names, globs, templates, JSON pointers).
// Each returns the complete problem message ("expected ..., got ...") or nullopt.

#include <optional>
#include <string>

#include "config/model.hpp"

namespace mv::config::detail {

/// A watch name: [A-Za-z0-9._-]+, not "." or ".." (it becomes a folder in the vault).
std::optional<std::string> check_watch_name(const std::string& text);

/// A tag name: [A-Za-z0-9._-]+.
std::optional<std::string> check_tag_name(const std::string& text);

/// An access entry: a user name, or "@" and a group name.
std::optional<std::string> check_principal(const std::string& text);

/// A user name.
std::optional<std::string> check_user_name(const std::string& text);

/// A group name, or "" for the daemon's own group.
std::optional<std::string> check_group_name(const std::string& text);

/// A non-empty fnmatch glob, not starting with "/" (globs with "/" match the path
/// relative to the watch, see watcher/filter.hpp).
std::optional<std::string> check_glob(const std::string& text);

/// A file name template relative to the model (metrics_file): placeholders {stem} and
/// {name} only, not absolute, no empty, "." or ".." component, no glob characters.
std::optional<std::string> check_template(const std::string& text);

/// A sidecar template: as check_template(), and components may be fnmatch globs
/// (*, ?, [...]) matched within one folder; "**" is refused.
std::optional<std::string> check_sidecar_template(const std::string& text);

/// A relative file name without empty, "." or ".." components (compat.file).
std::optional<std::string> check_relative_file(const std::string& text);

/// A JSON pointer (RFC 6901): "" or "/a/b", with valid ~0/~1 escapes.
std::optional<std::string> check_json_pointer(const std::string& text);

/// "HH:MM" on a 24-hour clock.
std::optional<std::string> check_time_of_day(const std::string& text);

/// The time of a string that passed check_time_of_day().
TimeOfDay parse_time_of_day(const std::string& text);

} // namespace mv::config::detail
