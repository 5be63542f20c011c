#pragma once
// Helpers for the config tests: run the parser and collect what it reports.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/load.hpp"

namespace mv::config::test {

/// Base directory for relative paths in parse_config() calls of the tests.
inline const std::filesystem::path k_base_dir = "/etc/modelvault";

/// The Problem::to_string() lines parse_config(text) throws; empty when it parses.
std::vector<std::string> problems_of(std::string_view text);

/// parse_config(text, k_base_dir); fails the test (throws) listing the problems.
Config parse_ok(std::string_view text);

} // namespace mv::config::test
