#pragma once
// Sizes in the config file are strings: "500MB", "10GiB", "1.5TB", "4096B"
// (docs/CONFIG.md, "Syntax").

#include <cstdint>
#include <string_view>

#include "util/expected.hpp"

namespace mv::config {

/// Parses "<number><unit>": a non-negative decimal number (a fraction is allowed) and one
/// of B, kB/KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024); the
/// result is rounded down to whole bytes. The error text says what is expected.
Result<std::uint64_t> parse_size(std::string_view text);

} // namespace mv::config
