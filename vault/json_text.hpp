#pragma once
// JSON to text for files the vault writes: never throws on invalid UTF-8 (names are
// escaped before they reach JSON; this is the belt to those braces).

#include <string>

#include <nlohmann/json.hpp>

namespace mv::vault {

/// Compact (indent -1) or indented text of `value`.
inline std::string json_text(const nlohmann::json& value, int indent = -1) {
    return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace mv::vault
