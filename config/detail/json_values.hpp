#pragma once
// Internal to config/: typed reads of JSON values. Each function checks one value,
// reports a problem naming the value found and what is expected, and returns nullopt
// when the value is unusable, so that the caller simply goes on to the next key.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "config/detail/checker.hpp"
#include "config/detail/key_path.hpp"
#include "config/detail/quote.hpp"
#include "config/model.hpp"

namespace mv::config::detail {

/// Objects keep the file's key order, so problems are reported in reading order.
using Json = nlohmann::ordered_json;

/// The value as shown after "got": `"seven"`, `7.5`, `null`, `[1,2]` (long ones cut).
std::string describe(const Json& value);

/// Reads one member of an object: the member's value and its key path.
using MemberHandler = std::function<void(const Json& value, const KeyPath& path)>;

/// A known key of an object and what to do with its value.
struct Member {
    std::string_view key;
    MemberHandler handle;
};

/// Calls the handler of each member of `value` in document order and reports unknown
/// keys (suggesting a near known key). Reports "expected <what>" and returns false when
/// `value` is not an object.
bool visit_members(const Json& value, const KeyPath& path, Checker& checker,
                   std::initializer_list<Member> members, std::string_view what = "an object");

/// Checks a string: returns the complete message for an invalid one, nullopt if fine.
using TextCheck = std::function<std::optional<std::string>(const std::string& text)>;

/// A check that rejects the empty string.
std::optional<std::string> non_empty(const std::string& text);

/// true or false.
std::optional<bool> to_bool(const Json& value, const KeyPath& path, Checker& checker);

/// A string that passes `check` (any string when `check` is empty).
std::optional<std::string> to_text(const Json& value, const KeyPath& path, Checker& checker,
                                   const TextCheck& check = {});

/// An array of strings that each pass `check`; problems are reported per element.
std::optional<std::vector<std::string>> to_text_list(const Json& value, const KeyPath& path,
                                                     Checker& checker, const TextCheck& check = {});

/// An integer in [min, max]; `expected` describes the range ("a non-negative integer").
/// The range of the config's integer keys (they end up in C++ ints).
inline constexpr std::int64_t k_int_min = std::numeric_limits<int>::min();
inline constexpr std::int64_t k_int_max = std::numeric_limits<int>::max();

std::optional<std::int64_t> to_integer(const Json& value, const KeyPath& path, Checker& checker,
                                       std::int64_t min, std::int64_t max,
                                       std::string_view expected);

/// A finite number ≥ min; `expected` describes it ("a non-negative number").
std::optional<double> to_number(const Json& value, const KeyPath& path, Checker& checker,
                                double min, std::string_view expected);

/// A duration string (config/duration.hpp) of at least `min`.
std::optional<Duration> to_duration(const Json& value, const KeyPath& path, Checker& checker,
                                    Duration min = Duration::zero());

/// A non-empty path string, made absolute against `base_dir` and lexically normal.
std::optional<std::filesystem::path> to_path(const Json& value, const KeyPath& path,
                                             Checker& checker,
                                             const std::filesystem::path& base_dir);

/// `text` resolved against `base_dir`, lexically normal, without a trailing slash.
std::filesystem::path resolve_path(const std::filesystem::path& text,
                                   const std::filesystem::path& base_dir);

/// One of the listed spellings, e.g. {{"files", Layout::files}, {"directory", ...}}.
template <typename E>
std::optional<E> to_enum(const Json& value, const KeyPath& path, Checker& checker,
                         std::initializer_list<std::pair<std::string_view, E>> choices) {
    if (value.is_string()) {
        for (const auto& [name, choice] : choices) {
            if (value.get_ref<const std::string&>() == name) {
                return choice;
            }
        }
    }
    std::string names;
    for (const auto& choice : choices) {
        names += (names.empty() ? "" : ", ") + quote(choice.first);
    }
    checker.report(path, fmt::format("expected one of {}, got {}", names, describe(value)));
    return std::nullopt;
}

} // namespace mv::config::detail
