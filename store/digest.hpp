#pragma once
// The 32-byte names of everything the store keeps: chunks (named by a ChunkNamer, the
// SHA-256 of their bytes today), and the pack, index and manifest files (named by the
// SHA-256 of the file's bytes). docs/FORMAT.md, "Names".

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mv::store {

struct Digest {
    std::array<std::uint8_t, 32> bytes{};

    auto operator<=>(const Digest&) const = default;
    bool operator==(const Digest&) const = default;

    /// 64 lowercase hex characters.
    std::string hex() const;
    /// The first 12 hex characters and an ellipsis, for messages.
    std::string short_hex() const;
    /// Parses 64 lowercase hex characters; nullopt for anything else.
    static std::optional<Digest> from_hex(std::string_view text);
    /// The SHA-256 of `data`.
    static Digest sha256_of(std::span<const std::uint8_t> data);
};

using ChunkId = Digest;
using PackId = Digest;

/// Hashes a Digest for unordered containers (its bytes are already uniform).
struct DigestHash {
    std::size_t operator()(const Digest& digest) const noexcept;
};

/// Names chunks. Pluggable because an encrypted vault names them with a keyed MAC
/// (docs/FORMAT.md): equal plaintext in two vaults must not give equal names.
class ChunkNamer {
public:
    virtual ~ChunkNamer() = default;
    /// The name of a chunk holding `data`.
    virtual ChunkId name(std::span<const std::uint8_t> data) const = 0;
    /// How names are made ("sha256"), recorded in vault.json.
    virtual std::string_view scheme() const = 0;
};

/// Chunk names are the SHA-256 of the chunk's bytes (an unencrypted vault).
class Sha256Namer final : public ChunkNamer {
public:
    ChunkId name(std::span<const std::uint8_t> data) const override;
    std::string_view scheme() const override { return "sha256"; }
};

/// Byte views of strings, for the span-based interfaces of the store.
inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

} // namespace mv::store
