#pragma once
// Model-like bytes for the store's tests: weights drawn from N(0, 0.02) in the usual
// float formats, and small tensor files built in memory.

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace mv::store::test {

/// `count` float32 weights, little endian.
std::string float32_weights(std::size_t count, unsigned seed = 1);
/// `count` bfloat16 weights (the top half of float32).
std::string bfloat16_weights(std::size_t count, unsigned seed = 1);

/// A safetensors file of `tensors` (name, dtype, bytes), in that order.
std::string
safetensors(const std::vector<std::tuple<std::string, std::string, std::string>>& tensors);

/// A zip archive whose members (name, bytes) are stored uncompressed.
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& members);

/// A .npy file of float32 values.
std::string npy_float32(const std::string& values);

inline std::span<const std::uint8_t> bytes_of(const std::string& text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

} // namespace mv::store::test
