#pragma once
// Planning a collection (docs/FORMAT.md "Collection"), pure like restic's prune plan:
// from what versions reference, what backups in flight have pinned and the index, which
// packs to delete (nothing in them is used), which to repack (mostly garbage: their used
// blobs move to new packs), and what that frees. Acting on the plan is Store::collect().

#include <cstdint>
#include <span>
#include <vector>

#include "store/index_table.hpp"

namespace mv::store {

struct CollectionPolicy {
    /// A pack whose unused bytes reach this share of it is repacked ("mostly garbage").
    double repack_unused_share = 0.5;
    /// Packs smaller than this (a version of a small model makes one) are merged ...
    std::uint64_t small_pack = 4u << 20;
    /// ... once there are at least this many of them.
    std::size_t small_pack_count = 16;
};

struct PackUsage {
    std::uint32_t pack = 0;
    std::uint64_t size = 0;
    std::uint64_t used_bytes = 0; ///< stored bytes of the blobs still needed
    std::uint32_t used_blobs = 0;
    std::uint32_t unused_blobs = 0;
    bool operator==(const PackUsage&) const = default;
};

/// How each live pack is used. `referenced` and `pinned` are sorted. A chunk stored in
/// several packs counts as used in the first of them only. Referenced chunks that are in
/// no pack go to `missing`.
std::vector<PackUsage> pack_usage(const IndexTable& table, std::span<const ChunkId> referenced,
                                  std::span<const ChunkId> pinned, std::vector<ChunkId>& missing);

struct CollectionPlan {
    std::vector<std::uint32_t> remove; ///< packs without a used blob
    std::vector<std::uint32_t> repack; ///< packs whose used blobs are copied, then removed
    std::uint64_t remove_bytes = 0;    ///< size of the packs removed
    std::uint64_t repack_bytes = 0;    ///< size of the packs repacked
    std::uint64_t copy_bytes = 0;      ///< stored bytes copied into new packs
    /// What the collection frees: removed and repacked packs less what is copied.
    std::uint64_t freed_bytes() const { return remove_bytes + repack_bytes - copy_bytes; }
    bool empty() const { return remove.empty() && repack.empty(); }
};

CollectionPlan plan_collection(const std::vector<PackUsage>& usage,
                               const CollectionPolicy& policy = {});

} // namespace mv::store
