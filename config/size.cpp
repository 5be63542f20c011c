#include "config/size.hpp"

#include <array>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "config/detail/quote.hpp"

namespace mv::config {

namespace {

struct SizeUnit {
    std::string_view name;
    double bytes;
};

constexpr std::array<SizeUnit, 10> k_size_units{{
    {"B", 1.0},
    {"kB", 1e3},
    {"KB", 1e3},
    {"MB", 1e6},
    {"GB", 1e9},
    {"TB", 1e12},
    {"KiB", 1024.0},
    {"MiB", 1024.0 * 1024},
    {"GiB", 1024.0 * 1024 * 1024},
    {"TiB", 1024.0 * 1024 * 1024 * 1024},
}};

Result<std::uint64_t> invalid_size(std::string_view text, std::string_view reason) {
    return failure(fmt::format("expected a size such as \"500MB\" or \"10GiB\", got {} ({})",
                               detail::quote(text), reason));
}

} // namespace

Result<std::uint64_t> parse_size(std::string_view text) {
    std::size_t digits = 0;
    bool seen_point = false;
    while (digits < text.size() &&
           ((text[digits] >= '0' && text[digits] <= '9') || (text[digits] == '.' && !seen_point))) {
        seen_point = seen_point || text[digits] == '.';
        ++digits;
    }
    const std::string_view number = text.substr(0, digits);
    const std::string_view unit_name = text.substr(digits);
    if (number.empty() || number == "." || number.front() == '.' || number.back() == '.') {
        return invalid_size(text, "it must start with a number");
    }
    if (unit_name.empty()) {
        return invalid_size(text, "a unit is required: B, kB, MB, GB, TB, KiB, MiB, GiB or TiB");
    }
    const SizeUnit* unit = nullptr;
    for (const SizeUnit& candidate : k_size_units) {
        unit = candidate.name == unit_name ? &candidate : unit;
    }
    if (unit == nullptr) {
        return invalid_size(text,
                            fmt::format("unknown unit {}; use B, kB, MB, GB, TB, KiB, MiB, GiB "
                                        "or TiB",
                                        detail::quote(unit_name)));
    }
    const double bytes = std::stod(std::string(number)) * unit->bytes;
    // 2^63 bytes (8 EiB) is far beyond any file system and still exact in a double.
    if (!std::isfinite(bytes) || bytes >= 9.2e18) {
        return invalid_size(text, "too large");
    }
    return static_cast<std::uint64_t>(bytes);
}

} // namespace mv::config
