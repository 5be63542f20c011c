#pragma once
// What an encrypted vault does to the store's bytes (docs/FORMAT.md, "Encryption"): each
// blob is sealed with AES-256-GCM bound to its chunk id, a pack's header and every index
// file are sealed whole, and chunks are named by HMAC-SHA256 under a key of the vault.
// A default-constructed Sealing is a plain vault's: every call passes bytes through.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/keyed_hash.hpp"
#include "crypto/master_key.hpp"
#include "store/digest.hpp"
#include "util/expected.hpp"

namespace mv::store {

class Sealing {
public:
    Sealing() = default;
    explicit Sealing(std::shared_ptr<const crypto::MasterKey> key);

    bool enabled() const { return m_key != nullptr; }

    /// Appends the blob of chunk `id` as a pack stores it: sealed, or `stored` itself.
    void seal_blob(const ChunkId& id, std::span<const std::uint8_t> stored,
                   std::vector<std::uint8_t>& out) const;
    /// The codec bytes of a blob read from a pack (opened into `scratch` when sealed);
    /// fails when it does not authenticate as chunk `id`.
    Result<std::span<const std::uint8_t>> open_blob(const ChunkId& id,
                                                    std::span<const std::uint8_t> blob,
                                                    std::vector<std::uint8_t>& scratch) const;

    /// A whole object (`role` pack header, index, manifest; `identity` binds it): sealed,
    /// or a copy of `plain`.
    std::vector<std::uint8_t> seal(crypto::Role role, std::span<const std::uint8_t> identity,
                                   std::span<const std::uint8_t> plain) const;
    /// The plain bytes of an object seal() made; fails naming why.
    Result<std::vector<std::uint8_t>> open(crypto::Role role,
                                           std::span<const std::uint8_t> identity,
                                           std::span<const std::uint8_t> stored) const;

    /// Bytes a sealed object has more than its plaintext (0 in a plain vault).
    std::size_t overhead() const { return enabled() ? crypto::k_seal_overhead : 0; }

private:
    std::shared_ptr<const crypto::MasterKey> m_key;
};

/// Chunk names of an encrypted vault: HMAC-SHA256 under the vault's name key, so equal
/// content in two vaults gets unrelated names.
class KeyedNamer final : public ChunkNamer {
public:
    explicit KeyedNamer(const crypto::MasterKey& key) : m_hash(key.name_key()) {}
    ChunkId name(std::span<const std::uint8_t> data) const override;
    std::string_view scheme() const override { return "hmac-sha256"; }

private:
    crypto::KeyedHash m_hash;
};

} // namespace mv::store
