#pragma once
// Key material: 32 bytes that are wiped when they go (OPENSSL_cleanse), compared in
// constant time and never printed. docs/FORMAT.md, "Encryption".

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace mv::crypto {

inline constexpr std::size_t k_key_size = 32;

/// A 256-bit secret key. Copies are independent and each is wiped on destruction.
class Key {
public:
    Key() = default;
    explicit Key(std::span<const std::uint8_t, k_key_size> bytes);
    Key(const Key& other) = default;
    Key& operator=(const Key& other) = default;
    ~Key();

    std::span<const std::uint8_t, k_key_size> bytes() const { return m_bytes; }
    std::span<std::uint8_t, k_key_size> mutable_bytes() { return m_bytes; }
    /// Constant-time comparison (CRYPTO_memcmp).
    bool operator==(const Key& other) const;

private:
    std::array<std::uint8_t, k_key_size> m_bytes{};
};

/// Wipes `text` (a passphrase) in place, then clears it.
void wipe(std::string& text);

} // namespace mv::crypto
