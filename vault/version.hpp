#pragma once
// Semantic versions of a model (docs/FORMAT.md): MAJOR.MINOR.PATCH, assigned by the daemon.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace mv::vault {

/// Which part of the version a new backup increments.
enum class Bump { major, minor, patch };

const char* to_string(Bump bump);
std::optional<Bump> parse_bump(std::string_view text);

struct Version {
    unsigned major = 1;
    unsigned minor = 0;
    unsigned patch = 0;

    /// "1.4.2".
    std::string to_string() const;
    /// Strict semver core: three non-negative integers without leading zeros.
    static std::optional<Version> parse(std::string_view text);
    /// The version after this one: major → (M+1).0.0, minor → M.(m+1).0, patch → M.m.(p+1).
    Version bumped(Bump bump) const;

    friend auto operator<=>(const Version&, const Version&) = default;
};

/// The first version of every model.
inline constexpr Version k_first_version{1, 0, 0};

} // namespace mv::vault
