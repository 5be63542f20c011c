#pragma once
// Internal to config/: the config text as a JSON document.

#include <optional>
#include <string_view>

#include "config/detail/checker.hpp"
#include "config/detail/json_values.hpp"

namespace mv::config::detail {

/// Parses JSON with `//` and `/* */` comments; text with nothing but whitespace and
/// comments is an empty object. Reports a syntax error (with line and column) and
/// returns nullopt; reports every duplicate key, which JSON parsers silently resolve.
std::optional<Json> parse_document(std::string_view text, Checker& checker);

} // namespace mv::config::detail
