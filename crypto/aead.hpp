#pragma once
// Authenticated encryption of one object with AES-256-GCM (OpenSSL EVP; AES-NI where the
// CPU has it). docs/FORMAT.md, "Encryption":
//
//   sealed = nonce[12] ‖ ciphertext[n] ‖ tag[16]
//
// Every object gets a fresh random 96-bit nonce (NIST SP 800-38D §8.2.2: at most 2^32
// objects per key, far beyond a vault's millions of chunks), and the object's role and
// identity are its associated data, so that a sealed object moved to another place (a
// chunk under another name, an index where a manifest should be) fails to open.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/secret.hpp"
#include "util/expected.hpp"

namespace mv::crypto {

inline constexpr std::size_t k_nonce_size = 12;
inline constexpr std::size_t k_tag_size = 16;
/// Bytes a sealed object has more than its plaintext.
inline constexpr std::size_t k_seal_overhead = k_nonce_size + k_tag_size;

/// What a sealed object is. The value is part of the associated data: never renumber.
enum class Role : std::uint8_t {
    chunk = 1,       ///< a chunk's stored (compressed) bytes; identity: its chunk id
    pack_header = 2, ///< a pack's header; identity: the pack's lead and trailer counts
    index = 3,       ///< an index file's body; identity: its header bytes
    manifest = 4,    ///< a manifest; identity: its model and version
    signing_key = 5, ///< the vault's Ed25519 private key; identity: its public key
    key_record = 6,  ///< the master key wrapped by a user key; identity: the record id
};

/// "chunk", "pack header", ... for messages.
std::string_view to_string(Role role);

/// The associated data of an object: "modelvault" 0x00 role:u8 identity.
std::vector<std::uint8_t> associated_data(Role role, std::span<const std::uint8_t> identity);

/// Encrypts and authenticates `plaintext` with `associated`: nonce ‖ ciphertext ‖ tag.
/// Throws Error only when OpenSSL itself fails.
std::vector<std::uint8_t> seal(const Key& key, std::span<const std::uint8_t> plaintext,
                               std::span<const std::uint8_t> associated);

/// Appends seal(key, plaintext, associated) to `out` (no intermediate copy).
void seal_append(const Key& key, std::span<const std::uint8_t> plaintext,
                 std::span<const std::uint8_t> associated, std::vector<std::uint8_t>& out);

/// The plaintext of `sealed`, or a failure when it is shorter than the overhead or does
/// not authenticate (wrong key, changed, truncated or moved bytes — indistinguishable, by
/// design). The message says which and is meant to follow the object's name.
Result<std::vector<std::uint8_t>> open(const Key& key, std::span<const std::uint8_t> sealed,
                                       std::span<const std::uint8_t> associated);

} // namespace mv::crypto
