#pragma once
// Version selectors (docs/CLI.md): an exact version "1.4.2", a prefix "1.4" (highest 1.4.x)
// or "1", "latest", "best" or any tag, and "@TIME" (the newest version created at or
// before an ISO 8601 time; UTC when it has no zone). A bare ISO date-time works too.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// Where the model's moving pointers are (from its audit history).
struct Pointers {
    std::optional<Version> best;
    std::optional<Version> current;
};

/// The version of `model` that `selector` names among `versions` (oldest first, as the
/// catalog keeps them); an empty selector means "latest"; "best" and "current" follow
/// `pointers`. The error says what exists, e.g.
/// "lab/x.pkl has 1.0.0–1.3.2 (4 versions); no tag 'prod'".
Result<Manifest> select_version(const std::vector<Manifest>& versions, std::string_view model,
                                std::string_view selector, const Pointers& pointers = {});

/// "1.0.0–1.3.2 (4 versions)", or "no versions".
std::string describe_versions(const std::vector<Manifest>& versions);

} // namespace mv::vault
