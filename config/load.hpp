#pragma once
// Reading and validating the config file (docs/CONFIG.md). Validation is total: every problem
// in the file is reported in one run, each naming its key path, the value found and
// what is expected.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "util/error.hpp"

namespace mv::config {

/// One problem in a config file, e.g. path `watches[1].retention.keep_daily`,
/// message `expected a non-negative integer, got "seven"`.
struct Problem {
    std::string path;
    std::string message;
    /// "watches[1].retention.keep_daily: expected a non-negative integer, got \"seven\""
    std::string to_string() const;
};

/// Thrown by load_config(): the file, and every problem found in it.
class ConfigError : public Error {
public:
    ConfigError(std::filesystem::path file, std::vector<Problem> problems);
    const std::vector<Problem>& problems() const noexcept { return m_problems; }

private:
    std::vector<Problem> m_problems;
};

/// Parses config text (JSON with // and /* */ comments). Relative paths in it are
/// resolved against `base_dir`. Returns the config, or throws ConfigError listing
/// every problem.
Config parse_config(std::string_view text, const std::filesystem::path& base_dir,
                    const std::filesystem::path& source_name = "<config>");

/// Reads and parses `file` (relative paths resolve against the file's directory).
/// Throws ConfigError for an unreadable file or any invalid content.
Config load_config(const std::filesystem::path& file);

} // namespace mv::config
