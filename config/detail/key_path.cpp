#include "config/detail/key_path.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "config/detail/quote.hpp"

namespace mv::config::detail {

namespace {

// Keys that can be shown bare: every key of the schema, and most typos of them.
bool is_plain_key(std::string_view key) {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

} // namespace

KeyPath KeyPath::operator/(std::string_view key) const {
    KeyPath result = *this;
    result.m_segments.emplace_back(std::string(key));
    return result;
}

KeyPath KeyPath::operator/(std::size_t index) const {
    KeyPath result = *this;
    result.m_segments.emplace_back(index);
    return result;
}

KeyPath KeyPath::under(const KeyPath& root) const {
    KeyPath result = root;
    result.m_segments.insert(result.m_segments.end(), m_segments.begin(), m_segments.end());
    return result;
}

KeyPath KeyPath::parent() const {
    KeyPath result = *this;
    if (!result.m_segments.empty()) {
        result.m_segments.pop_back();
    }
    return result;
}

std::string KeyPath::text() const {
    std::string text;
    for (const auto& segment : m_segments) {
        if (const auto* index = std::get_if<std::size_t>(&segment)) {
            text += fmt::format("[{}]", *index);
            continue;
        }
        const auto& key = std::get<std::string>(segment);
        if (!text.empty()) {
            text += '.';
        }
        text += is_plain_key(key) ? key : quote(key);
    }
    return text;
}

nlohmann::json::json_pointer KeyPath::pointer() const {
    nlohmann::json::json_pointer pointer;
    for (const auto& segment : m_segments) {
        if (const auto* index = std::get_if<std::size_t>(&segment)) {
            pointer /= *index;
        } else {
            pointer /= std::get<std::string>(segment);
        }
    }
    return pointer;
}

} // namespace mv::config::detail
