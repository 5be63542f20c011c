#pragma once
// JSON from untrusted bytes (requests, sidecars, manifests, history lines, config and
// metrics files) is checked for nesting depth before it is parsed: nlohmann-json parses
// iteratively, but copying, comparing and printing a value recurse once per level, so
// 58,000 nested brackets in a 116 KB request overflowed the daemon's stack. The scan is
// a single pass over the bytes that never allocates, and the parse is refused before it
// starts (docs/PROTOCOL.md, "Limits").

#include <cstddef>
#include <string_view>

#include "util/expected.hpp"

namespace mv {

/// How deeply arrays and objects may nest in a request, a history line, a config file
/// or a metrics file.
inline constexpr std::size_t k_max_json_depth = 64;

/// The deepest nesting of arrays and objects in `text` read as JSON (with // and /* */
/// comments, which the config allows); brackets inside strings do not count. Stops at
/// `limit` + 1, so the scan of a hostile document ends early. Malformed text gets an
/// answer too; the parser reports what is wrong with it.
std::size_t json_nesting_depth(std::string_view text, std::size_t limit);

/// Fails with "<what> nests N levels deep; at most LIMIT are allowed" when `text` nests
/// deeper than `limit`.
Result<void> check_json_depth(std::string_view text, std::string_view what,
                              std::size_t limit = k_max_json_depth);

} // namespace mv
