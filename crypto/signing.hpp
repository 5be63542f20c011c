#pragma once
// Ed25519 signatures (RFC 8032, OpenSSL EVP_PKEY): the vault signs each manifest, and
// anyone holding only the public key can check where a version came from — without being
// able to decrypt it or sign another. docs/FORMAT.md, "Signatures".
//
// What is signed is  "modelvault signature v1" 0x00 context 0x00 message,  so a
// signature made for one purpose (a manifest) cannot be passed off for another.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/master_key.hpp"
#include "crypto/secret.hpp"
#include "util/expected.hpp"

namespace mv::crypto {

inline constexpr std::size_t k_signature_size = 64;
inline constexpr std::size_t k_public_key_size = 32;
using Signature = std::array<std::uint8_t, k_signature_size>;

class PublicKey {
public:
    explicit PublicKey(std::span<const std::uint8_t, k_public_key_size> raw);
    /// Reads a PEM "PUBLIC KEY" (SubjectPublicKeyInfo, as `openssl pkey -pubout` writes)
    /// holding an Ed25519 key; the failure says what the text is instead.
    static Result<PublicKey> from_pem(std::string_view pem);
    std::string to_pem() const;
    std::span<const std::uint8_t, k_public_key_size> raw() const { return m_raw; }
    /// The first 16 hex digits of the SHA-256 of the raw key, to tell keys apart.
    std::string fingerprint() const;
    /// True when `signature` was made by this key's private half over `context`/`message`.
    bool verify(std::string_view context, std::span<const std::uint8_t> message,
                std::span<const std::uint8_t> signature) const;
    bool operator==(const PublicKey&) const = default;

private:
    std::array<std::uint8_t, k_public_key_size> m_raw{};
};

class SigningKey {
public:
    /// A fresh key pair.
    static SigningKey generate();
    /// The key pair whose 32-byte private seed is `seed`.
    explicit SigningKey(const Key& seed);

    const PublicKey& public_key() const { return m_public; }
    Signature sign(std::string_view context, std::span<const std::uint8_t> message) const;

    /// The private seed sealed under the vault's data key (Role::signing_key, bound to the
    /// public key): what the vault stores.
    std::vector<std::uint8_t> seal(const MasterKey& master) const;
    /// The key sealed by seal(); the failure says why (wrong vault key, damaged).
    static Result<SigningKey> open(const MasterKey& master, std::span<const std::uint8_t> sealed,
                                   const PublicKey& expected);

private:
    Key m_seed;
    PublicKey m_public;
};

} // namespace mv::crypto
