#include "store/gc_plan.hpp"

#include <algorithm>

namespace mv::store {

namespace {

// Position of `id` in the sorted `ids`, if present.
std::optional<std::size_t> position(std::span<const ChunkId> ids, const ChunkId& id) {
    const auto it = std::lower_bound(ids.begin(), ids.end(), id);
    if (it == ids.end() || *it != id) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - ids.begin());
}

} // namespace

std::vector<PackUsage> pack_usage(const IndexTable& table, std::span<const ChunkId> referenced,
                                  std::span<const ChunkId> pinned, std::vector<ChunkId>& missing) {
    std::vector<PackUsage> usage;
    std::vector<std::int64_t> slot(table.packs().size(), -1);
    for (std::uint32_t number = 0; number < table.packs().size(); ++number) {
        if (table.packs()[number].live) {
            slot[number] = static_cast<std::int64_t>(usage.size());
            usage.push_back({number, table.packs()[number].size, 0, 0, 0});
        }
    }
    // One copy of each needed chunk is used: claimed[i] once a copy was counted.
    std::vector<bool> claimed_referenced(referenced.size(), false);
    std::vector<bool> claimed_pinned(pinned.size(), false);
    table.for_each([&](const IndexEntry& entry) {
        if (slot[entry.pack] < 0) {
            return;
        }
        PackUsage& pack = usage[static_cast<std::size_t>(slot[entry.pack])];
        bool used = false;
        if (const auto i = position(referenced, entry.id); i && !claimed_referenced[*i]) {
            claimed_referenced[*i] = true;
            used = true;
        }
        if (const auto i = position(pinned, entry.id); i && !claimed_pinned[*i]) {
            claimed_pinned[*i] = true;
            used = true;
        }
        if (used) {
            pack.used_bytes += entry.stored_length;
            ++pack.used_blobs;
        } else {
            ++pack.unused_blobs;
        }
    });
    for (std::size_t i = 0; i < referenced.size(); ++i) {
        if (!claimed_referenced[i]) {
            missing.push_back(referenced[i]);
        }
    }
    return usage;
}

CollectionPlan plan_collection(const std::vector<PackUsage>& usage,
                               const CollectionPolicy& policy) {
    CollectionPlan plan;
    std::vector<const PackUsage*> small;
    const auto repack = [&](const PackUsage& pack) {
        plan.repack.push_back(pack.pack);
        plan.repack_bytes += pack.size;
        plan.copy_bytes += pack.used_bytes;
    };
    for (const auto& pack : usage) {
        if (pack.used_blobs == 0) {
            plan.remove.push_back(pack.pack);
            plan.remove_bytes += pack.size;
        } else if (pack.unused_blobs > 0 &&
                   static_cast<double>(pack.size - std::min(pack.size, pack.used_bytes)) >=
                       policy.repack_unused_share * static_cast<double>(pack.size)) {
            // Only with a blob to drop: a pack of tiny chunks, all needed, is mostly
            // header and trailer, and its copy would be the same pack again.
            repack(pack);
        } else if (pack.size < policy.small_pack) {
            small.push_back(&pack);
        }
    }
    if (small.size() >= policy.small_pack_count) {
        for (const auto* pack : small) {
            repack(*pack);
        }
    }
    return plan;
}

} // namespace mv::store
