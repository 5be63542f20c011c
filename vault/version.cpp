#include "vault/version.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace mv::vault {

const char* to_string(Bump bump) {
    switch (bump) {
    case Bump::major:
        return "major";
    case Bump::minor:
        return "minor";
    case Bump::patch:
        return "patch";
    }
    return "patch";
}

std::optional<Bump> parse_bump(std::string_view text) {
    if (text == "major") {
        return Bump::major;
    }
    if (text == "minor") {
        return Bump::minor;
    }
    if (text == "patch") {
        return Bump::patch;
    }
    return std::nullopt;
}

std::string Version::to_string() const {
    return fmt::format("{}.{}.{}", major, minor, patch);
}

std::optional<Version> Version::parse(std::string_view text) {
    unsigned parts[3] = {0, 0, 0};
    std::size_t pos = 0;
    for (int i = 0; i < 3; ++i) {
        const std::size_t end = i < 2 ? text.find('.', pos) : text.size();
        if (end == std::string_view::npos || end == pos) {
            return std::nullopt;
        }
        const std::string_view digits = text.substr(pos, end - pos);
        if (digits.size() > 1 && digits[0] == '0') {
            return std::nullopt;
        }
        const auto [ptr, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), parts[i]);
        if (ec != std::errc{} || ptr != digits.data() + digits.size()) {
            return std::nullopt;
        }
        pos = end + 1;
    }
    return Version{parts[0], parts[1], parts[2]};
}

Version Version::bumped(Bump bump) const {
    switch (bump) {
    case Bump::major:
        return {major + 1, 0, 0};
    case Bump::minor:
        return {major, minor + 1, 0};
    case Bump::patch:
        return {major, minor, patch + 1};
    }
    return *this;
}

} // namespace mv::vault
