#pragma once
// Durations in the config file are strings: "500ms" "30s" "5m" "6h" "7d" "2w".

#include <string>
#include <string_view>

#include "config/model.hpp"
#include "util/expected.hpp"

namespace mv::config {

/// Parses "<non-negative integer><unit>" with unit ms|s|m|h|d|w; combinations such as
/// "1h30m" are accepted too. The error text says what is expected.
Result<Duration> parse_duration(std::string_view text);

/// The shortest exact text form ("90s" → "90s", 7200000 ms → "2h").
std::string format_duration(Duration duration);

} // namespace mv::config
