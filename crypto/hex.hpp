#pragma once
// Lowercase hex for the text forms of salts, wrapped keys and ids in key records.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mv::crypto {

/// `bytes` as lowercase hex.
std::string to_hex(std::span<const std::uint8_t> bytes);

/// The bytes of `text` (hex digits, either case, even length); nullopt for anything else.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

} // namespace mv::crypto
