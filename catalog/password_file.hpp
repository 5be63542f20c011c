#pragma once
// The catalog's database password (docs/CONFIG.md, "catalog"): the first line of a file
// that only its owner may read or write, like every secret of the config.

#include <filesystem>
#include <string>

#include "util/expected.hpp"

namespace mv::catalog {

/// The password in `file` (its first line, without the line end). Fails with a message
/// saying what to do when the file is missing, empty, or open to other users.
Result<std::string> read_password_file(const std::filesystem::path& file);

} // namespace mv::catalog
