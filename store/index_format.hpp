#pragma once
// The bytes of an index file (docs/FORMAT.md "Index"), pure encode and parse. An index
// file lists packs and the blobs inside them, so that opening the vault does not read
// every pack's header; it is redundant with the packs (a lost one is rebuilt from them).
//
//   index  = head pack* entry*
//   head   = "MVIX" u8:version(1) u8:flags(0) u16:0 u32:packs u32:entries        16 bytes
//   pack   = id[32] u64:size                                                     40 bytes
//   entry  = id[32] u32:pack u8:codec u8:flags(0) u16:0 u32:offset u32:stored u32:raw
//                                                                                52 bytes
// `pack` in an entry is the position of its pack in this file's pack list.

#include <cstdint>
#include <span>
#include <vector>

#include "store/digest.hpp"
#include "store/pack_format.hpp"
#include "util/expected.hpp"

namespace mv::store {

struct IndexedPack {
    PackId id;
    std::uint64_t size = 0;
    std::vector<BlobEntry> blobs;
    bool operator==(const IndexedPack&) const = default;
};

/// The bytes of one entry: an index file of N bytes lists at most N / 52 chunks.
inline constexpr std::size_t k_index_entry_bytes = 52;

std::vector<std::uint8_t> encode_index(const std::vector<IndexedPack>& packs);
Result<std::vector<IndexedPack>> parse_index(std::span<const std::uint8_t> bytes);

} // namespace mv::store
