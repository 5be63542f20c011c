#include "http/target.hpp"

#include <fmt/format.h>

#include "http/api_error.hpp"
#include "util/escape.hpp"

namespace mv::http {

namespace {

std::string decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
            const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
            if (high < 0 || low < 0) {
                throw ApiError(400, "invalid_argument",
                               fmt::format("the request target has a malformed %-escape at "
                                           "\"{}\"; write a byte as %XX with two hex digits",
                                           text.substr(i, 3)));
            }
            c = static_cast<char>(high * 16 + low);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') {
            throw ApiError(400, "invalid_argument", "the request target holds a NUL byte (%00)");
        }
        out.push_back(c);
    }
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const auto at = text.find(separator, start);
        parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
        if (at == std::string_view::npos) {
            return parts;
        }
        start = at + 1;
    }
}

} // namespace

Target parse_target(std::string_view target) {
    if (target.empty() || target.front() != '/') {
        throw ApiError(400, "invalid_argument",
                       "the request target must be a path starting with \"/\"");
    }
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    Target parsed;
    for (const std::string_view segment : split(path.substr(1), '/')) {
        if (!segment.empty()) {
            parsed.segments.push_back(decode(segment, false));
        }
    }
    if (question != std::string_view::npos) {
        for (const std::string_view pair : split(target.substr(question + 1), '&')) {
            if (pair.empty()) {
                continue;
            }
            const auto equals = pair.find('=');
            parsed.query.emplace_back(
                decode(pair.substr(0, equals), true),
                equals == std::string_view::npos ? "" : decode(pair.substr(equals + 1), true));
        }
    }
    return parsed;
}

std::string percent_encode(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(c);
        } else {
            out += fmt::format("%{:02X}", byte);
        }
    }
    return out;
}

} // namespace mv::http
