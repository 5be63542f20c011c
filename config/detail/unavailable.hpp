#pragma once
// Internal to config/: keys that docs/CONFIG.md describes but whose feature this version
// does not have yet. A config that sets one is refused, never accepted and ignored: an
// admin who writes `encryption` must not believe the vault is encrypted (docs/CONFIG.md,
// "Not available yet"). Their values are still parsed and validated in full, so turning a
// feature on is deleting its row here (and its "not available yet" note in the docs).

#include <array>
#include <string_view>

#include "config/detail/checker.hpp"
#include "config/detail/json_values.hpp"

namespace mv::config::detail {

struct UnavailableKey {
    std::string_view key;          ///< a top-level key
    std::string_view what_happens; ///< what the daemon would silently not do
};

/// One row per top-level key whose feature is not built yet (none at the moment).
inline constexpr std::array<UnavailableKey, 0> k_unavailable_keys{};

/// Reports every key of k_unavailable_keys that `document` (the top-level object) sets.
void report_unavailable(const Json& document, Checker& checker);

} // namespace mv::config::detail
