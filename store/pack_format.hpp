#pragma once
// The bytes of a pack file (docs/FORMAT.md "Packs"), pure encode and parse:
//
//   pack    = lead blob* header trailer
//   lead    = "MVPK" u8:version(1) u8:flags(0) u16:0                        8 bytes
//   blob    = the chunk's stored bytes (codec output)
//   header  = entry*                                   (encrypted as a whole, later)
//   entry   = id[32] u8:codec u8:flags(0) u16:0 u32:offset u32:stored u32:raw  48 bytes
//   trailer = u32:header_length u32:entries u8:version(1) u8:flags(0) u16:0 "MVPK"
//
// Little endian. Entries list the blobs in file order, contiguous from offset 8. In an
// encrypted vault the flags bytes are 1: each blob is sealed (nonce ‖ ciphertext ‖ tag,
// store/sealing.hpp) and so is the header as a whole (header_length then counts the
// 28 bytes sealing adds).

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "store/codec.hpp"
#include "store/digest.hpp"
#include "store/sealing.hpp"
#include "util/expected.hpp"

namespace mv::store {

inline constexpr std::size_t k_pack_lead = 8;
inline constexpr std::size_t k_pack_entry = 48;
inline constexpr std::size_t k_pack_trailer = 16;
/// Packs are cut when they reach this size (tens of MiB: few files, few object-store
/// requests, and a small loss when one is damaged).
inline constexpr std::uint64_t k_pack_target = 32u << 20;

struct BlobEntry {
    ChunkId id;
    BlobCodec codec = BlobCodec::raw;
    std::uint32_t offset = 0;
    std::uint32_t stored_length = 0;
    std::uint32_t raw_length = 0;
    bool operator==(const BlobEntry&) const = default;
};

/// The 8 bytes a pack starts with (flags 1 when `sealed`).
std::array<std::uint8_t, k_pack_lead> pack_lead(bool sealed = false);

/// Header and trailer for `entries` (appended after the blobs); the header sealed when
/// `sealing` is enabled.
std::vector<std::uint8_t> encode_pack_tail(const std::vector<BlobEntry>& entries,
                                           const Sealing& sealing = {});

/// What the trailer (the last 16 bytes of a pack of `pack_size` bytes) says.
struct PackTrailer {
    std::uint32_t header_length = 0;
    std::uint32_t entries = 0;
    bool sealed = false; ///< flags 1: an encrypted vault's pack
};
Result<PackTrailer> parse_pack_trailer(std::span<const std::uint8_t> trailer,
                                       std::uint64_t pack_size);

/// The entries of a pack of `pack_size` bytes from its header bytes (opened with
/// `sealing` when the pack is sealed; a sealed pack in a plain vault, or the reverse, is
/// refused); checks that the blobs tile the space between the lead and the header exactly.
Result<std::vector<BlobEntry>> parse_pack_header(std::span<const std::uint8_t> header,
                                                 const PackTrailer& trailer,
                                                 std::uint64_t pack_size,
                                                 const Sealing& sealing = {});

/// Both steps on a whole pack in memory (tests, fuzzing, `verify --read-data --all`).
Result<std::vector<BlobEntry>> parse_pack(std::span<const std::uint8_t> pack,
                                          const Sealing& sealing = {});

/// Little-endian helpers shared by the store's binary formats.
void put_le(std::vector<std::uint8_t>& out, std::uint64_t value, int width);
std::uint64_t get_le(const std::uint8_t* bytes, int width);

} // namespace mv::store
