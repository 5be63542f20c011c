#pragma once
// What the bytes of a region hold, as far as the store cares: floats of a known width
// (stored byte-grouped, docs/FORMAT.md "Codecs") or anything else.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mv::store {

enum class ValueType : std::uint8_t { unknown, float16, bfloat16, float32, float64 };

/// Bytes per value: 2, 2, 4, 8; 1 for unknown.
constexpr std::size_t value_width(ValueType type) {
    switch (type) {
    case ValueType::float16:
    case ValueType::bfloat16:
        return 2;
    case ValueType::float32:
        return 4;
    case ValueType::float64:
        return 8;
    case ValueType::unknown:
        break;
    }
    return 1;
}

constexpr std::string_view to_string(ValueType type) {
    switch (type) {
    case ValueType::float16:
        return "float16";
    case ValueType::bfloat16:
        return "bfloat16";
    case ValueType::float32:
        return "float32";
    case ValueType::float64:
        return "float64";
    case ValueType::unknown:
        break;
    }
    return "unknown";
}

} // namespace mv::store
