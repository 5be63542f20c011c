#include "util/json_depth.hpp"

#include <fmt/format.h>

namespace mv {

namespace {

// Skips the string whose opening quote is at text[pos]; returns the position after its
// closing quote (or the end of an unterminated string).
std::size_t skip_string(std::string_view text, std::size_t pos) {
    for (++pos; pos < text.size(); ++pos) {
        if (text[pos] == '\\') {
            ++pos; // the escaped character, whatever it is
        } else if (text[pos] == '"') {
            return pos + 1;
        }
    }
    return text.size();
}

// Skips a comment starting at text[pos] ("//" or "/*"); returns the position after it,
// or pos + 1 when no comment starts there.
std::size_t skip_comment(std::string_view text, std::size_t pos) {
    if (text.substr(pos, 2) == "//") {
        const std::size_t end = text.find('\n', pos + 2);
        return end == std::string_view::npos ? text.size() : end + 1;
    }
    if (text.substr(pos, 2) == "/*") {
        const std::size_t end = text.find("*/", pos + 2);
        return end == std::string_view::npos ? text.size() : end + 2;
    }
    return pos + 1;
}

} // namespace

std::size_t json_nesting_depth(std::string_view text, std::size_t limit) {
    std::size_t depth = 0;
    std::size_t deepest = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        switch (text[pos]) {
        case '"':
            pos = skip_string(text, pos);
            continue;
        case '/':
            pos = skip_comment(text, pos);
            continue;
        case '[':
        case '{':
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > limit) {
                    return deepest;
                }
            }
            break;
        case ']':
        case '}':
            depth -= depth > 0 ? 1 : 0;
            break;
        default:
            break;
        }
        ++pos;
    }
    return deepest;
}

Result<void> check_json_depth(std::string_view text, std::string_view what, std::size_t limit) {
    if (json_nesting_depth(text, limit) > limit) {
        return failure(fmt::format("{} nests arrays and objects more than {} levels deep; at "
                                   "most {} are allowed",
                                   what, limit, limit));
    }
    return {};
}

} // namespace mv
