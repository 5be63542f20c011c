#pragma once
// Internal to config/: the top-level objects other than defaults and watches.

#include <filesystem>

#include "config/detail/checker.hpp"
#include "config/detail/json_values.hpp"
#include "config/model.hpp"

namespace mv::config::detail {

/// `compression`: the level range is checked for the codec in effect.
void read_compression(const Json& value, const KeyPath& path, Checker& checker,
                      Compression& compression);

/// `encryption`: key_file is required and resolved against `base_dir`.
void read_encryption(const Json& value, const KeyPath& path, Checker& checker,
                     const std::filesystem::path& base_dir, Encryption& encryption);

/// `access`: a socket group and the user/"@group" lists.
void read_access(const Json& value, const KeyPath& path, Checker& checker, Access& access);

} // namespace mv::config::detail
