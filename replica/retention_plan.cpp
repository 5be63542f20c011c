#include "replica/retention_plan.hpp"

#include <algorithm>
#include <unordered_set>

namespace mv::replica {

namespace {

std::unordered_set<std::string> keys_of(const std::vector<VaultFile>& local) {
    std::unordered_set<std::string> keys;
    for (const auto& file : local) {
        keys.insert(file.key);
    }
    return keys;
}

} // namespace

RemovalPlan plan_removals(const std::vector<VaultFile>& local, const RemoteListing& remote,
                          const RemovedSince& previous, SystemTime now,
                          std::chrono::milliseconds keep_removed) {
    const auto local_keys = keys_of(local);
    RemovalPlan plan;
    for (const auto& [key, size] : remote) {
        if (!key.starts_with("manifests/") || local_keys.contains(key)) {
            continue;
        }
        const auto known = previous.find(key);
        const SystemTime since = known == previous.end() ? now : known->second;
        if (now - since >= keep_removed) {
            plan.remove.push_back(key);
        } else {
            plan.removed_since.emplace(key, since);
        }
    }
    std::sort(plan.remove.begin(), plan.remove.end());
    // A signature goes with its manifest (signatures/<hex>.json signs manifests/<hex>.json),
    // and so does one whose manifest neither the vault nor the replica holds any more.
    const std::unordered_set<std::string> removed(plan.remove.begin(), plan.remove.end());
    for (const auto& [key, size] : remote) {
        if (!key.starts_with("signatures/") || local_keys.contains(key)) {
            continue;
        }
        const std::string manifest = "manifests/" + key.substr(11);
        if (removed.contains(manifest) ||
            (!remote.contains(manifest) && !local_keys.contains(manifest))) {
            plan.signatures.push_back(key);
        }
    }
    std::sort(plan.signatures.begin(), plan.signatures.end());
    return plan;
}

Orphans find_orphans(const std::vector<VaultFile>& local, const RemoteListing& remote) {
    const auto local_keys = keys_of(local);
    Orphans orphans;
    for (const auto& [key, size] : remote) {
        if (local_keys.contains(key)) {
            continue;
        }
        if (key.starts_with("packs/")) {
            orphans.packs.push_back(key);
        } else if (key.starts_with("index/")) {
            orphans.indexes.push_back(key);
        }
    }
    std::sort(orphans.packs.begin(), orphans.packs.end());
    std::sort(orphans.indexes.begin(), orphans.indexes.end());
    return orphans;
}

CollectionPlan plan_collection(const Orphans& orphans, const OrphanContents& contents,
                               const RemoteListing& remote, const ChunkSet& referenced,
                               const ChunkSet& covered) {
    CollectionPlan plan;
    std::unordered_set<std::string> kept(orphans.packs.begin(), orphans.packs.end());
    for (const auto& pack : orphans.packs) {
        const auto chunks = contents.pack_chunks.find(pack);
        if (chunks == contents.pack_chunks.end()) {
            continue; // no index file says what it holds: it may be needed
        }
        const bool needed =
            std::any_of(chunks->second.begin(), chunks->second.end(), [&](const auto& id) {
                return referenced.contains(id) && !covered.contains(id);
            });
        if (!needed) {
            plan.packs.push_back(pack);
            kept.erase(pack);
        }
    }
    for (const auto& index : orphans.indexes) {
        const auto packs = contents.index_packs.find(index);
        if (packs == contents.index_packs.end()) {
            continue;
        }
        // The vault's own index files list the packs it has; this one is needed only for
        // orphan packs that stay.
        const bool lists_a_kept_orphan =
            std::any_of(packs->second.begin(), packs->second.end(), [&](const auto& pack) {
                return remote.contains(pack) && kept.contains(pack);
            });
        if (!lists_a_kept_orphan) {
            plan.indexes.push_back(index);
        }
    }
    std::sort(plan.packs.begin(), plan.packs.end());
    std::sort(plan.indexes.begin(), plan.indexes.end());
    return plan;
}

std::string pack_key(const store::PackId& id) {
    const std::string hex = id.hex();
    return "packs/" + hex.substr(0, 2) + "/" + hex;
}

} // namespace mv::replica
