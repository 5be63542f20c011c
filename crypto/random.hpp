#pragma once
// Randomness from OpenSSL's CSPRNG (RAND_bytes, seeded by the kernel's getrandom).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/secret.hpp"

namespace mv::crypto {

/// Fills `out` with random bytes. Throws Error when the generator fails (it then has no
/// entropy: nothing secret may be made).
void fill_random(std::span<std::uint8_t> out);

/// `size` random bytes.
std::vector<std::uint8_t> random_bytes(std::size_t size);

/// A fresh random key.
Key random_key();

} // namespace mv::crypto
