#pragma once
// Byte helpers shared by the crypto tests.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hex.hpp"
#include "crypto/key_record.hpp"

namespace mv::crypto::test {

inline std::vector<std::uint8_t> bytes_of(std::string_view text) {
    return {text.begin(), text.end()};
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// scrypt at its cheapest, so that the tests stay fast; the cost is stored in the record.
inline const RecordOrigin k_origin{"2026-11-30T17:00:00Z", "trainer-1", {1024, 1, 1}};

inline std::vector<std::uint8_t> unhex(std::string_view text) {
    return *from_hex(text);
}

} // namespace mv::crypto::test
