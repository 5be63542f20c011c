#pragma once
// Internal to config/: `catalog`, the shared PostgreSQL catalog of a fleet
// (docs/CONFIG.md, "catalog"; docs/catalog.md).

#include <filesystem>

#include "config/detail/checker.hpp"
#include "config/detail/json_values.hpp"
#include "config/model.hpp"

namespace mv::config::detail {

/// `catalog`: {postgresql, password_file}; postgresql is required and carries no password.
void read_catalog(const Json& value, const KeyPath& path, Checker& checker,
                  const std::filesystem::path& base_dir, Catalog& catalog);

} // namespace mv::config::detail
