#pragma once
// HMAC-SHA256 under a secret key (OpenSSL EVP_MAC): an encrypted vault names its chunks
// with it, so that equal plaintext in two vaults gets unrelated names and a name reveals
// nothing about content without the key. docs/FORMAT.md, "Encryption".

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "crypto/secret.hpp"

namespace mv::crypto {

using Mac = std::array<std::uint8_t, 32>;

/// HMAC-SHA256 with a fixed key. Thread-safe: each call uses a context of its own.
class KeyedHash {
public:
    explicit KeyedHash(const Key& key);
    ~KeyedHash();
    KeyedHash(const KeyedHash&) = delete;
    KeyedHash& operator=(const KeyedHash&) = delete;

    /// HMAC-SHA256(key, data). Throws Error only when OpenSSL fails.
    Mac operator()(std::span<const std::uint8_t> data) const;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

} // namespace mv::crypto
