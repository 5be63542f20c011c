#pragma once
// Key derivation through OpenSSL's EVP_KDF: HKDF-SHA256 (RFC 5869) turns a key into
// keys for separate purposes; scrypt (RFC 7914) stretches a passphrase, so that each
// guess costs memory and time. docs/FORMAT.md, "Keys".

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/secret.hpp"
#include "util/expected.hpp"

namespace mv::crypto {

/// HKDF-SHA256 of `input` with `salt` (may be empty) and `info` (the purpose).
Key hkdf_sha256(std::span<const std::uint8_t> input, std::span<const std::uint8_t> salt,
                std::string_view info);

/// scrypt's cost: N (a power of two), r, p. Memory is 128 × N × r bytes.
struct ScryptParams {
    std::uint64_t n = std::uint64_t{1} << 16; ///< 64 MiB with r = 8: about 0.2 s here
    std::uint32_t r = 8;
    std::uint32_t p = 1;
    bool operator==(const ScryptParams&) const = default;
};

/// Checks parameters read from a key record: N a power of two in [2^10, 2^22], r in
/// [1, 32], p in [1, 16], memory at most 1 GiB — a crafted record must not make the
/// daemon allocate without bound. The failure says which value is out of range.
Result<void> check_scrypt_params(const ScryptParams& params);

/// scrypt of `passphrase` with `salt`; fails when the parameters are refused (see
/// check_scrypt_params) or memory cannot be had.
Result<Key> scrypt(std::string_view passphrase, std::span<const std::uint8_t> salt,
                   const ScryptParams& params);

} // namespace mv::crypto
