// Collection from the vault's side: the chunks every committed version references, read
// from the manifests on disk (the catalog keeps no chunk lists), handed to the store.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/fs.hpp"
#include "vault/vault.hpp"

namespace mv::vault {

std::vector<store::ChunkId>
Vault::referenced_chunks(const std::vector<std::pair<std::string, Version>>& except) const {
    std::vector<Manifest> manifests;
    {
        std::shared_lock lock(m_mutex);
        for (const auto& model : m_catalog.models()) {
            for (const auto& manifest : m_catalog.versions(model)) {
                if (std::find(except.begin(), except.end(),
                              std::pair(manifest.model, manifest.version)) == except.end()) {
                    manifests.push_back(manifest);
                }
            }
        }
    }
    std::vector<store::ChunkId> ids;
    for (const auto& manifest : manifests) {
        // A manifest that cannot be read stops the collection (load() throws): its
        // chunks are unknown, so nothing may be removed.
        const auto chunks = load(manifest).chunk_ids();
        ids.insert(ids.end(), chunks.begin(), chunks.end());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

namespace {

// docs/FORMAT.md "Collection": present while a removal's chunks may still wait.
constexpr const char* k_collection_due = "collection-due";

} // namespace

bool Vault::collection_due() const {
    std::error_code ignored;
    return std::filesystem::exists(state_dir() / k_collection_due, ignored);
}

void Vault::note_collection_due() {
    if (collection_due()) {
        return;
    }
    // Empty: creating it needs an inode but no data block (a full disk may call this).
    value_or_throw(fs::write_file_atomic(state_dir() / k_collection_due, "", tmp_dir()),
                   "cannot record that a collection is due: ");
}

CollectionResult Vault::collect(const std::stop_token& stop) {
    CollectionResult result;
    // A removal after this instant may reference chunks this collection keeps: then the
    // next one must run too, and the mark stays.
    const std::uint64_t removals = m_removals;
    if (const auto damaged = this->damaged(); !damaged.empty()) {
        result.skipped = fmt::format("{} is damaged and may reference chunks; repair or remove "
                                     "it, then restart modelvaultd",
                                     damaged.front().file.string());
        spdlog::warn("vault: no collection: {}", result.skipped);
        return result;
    }
    const auto report = m_store->collect([&] { return referenced_chunks({}); }, stop);
    if (!report.missing.empty()) {
        result.skipped = fmt::format("{} chunk(s) that versions reference are missing (chunk {}); "
                                     "run `modelvaultctl verify --all`",
                                     report.missing.size(), report.missing.front().short_hex());
        spdlog::error("vault: no collection: {}", result.skipped);
        return result;
    }
    if (m_removals == removals) {
        value_or_throw(fs::remove_durable(state_dir() / k_collection_due),
                       "cannot record that the collection finished: ");
    }
    result.freed_bytes = report.freed_bytes;
    result.packs_removed = report.packs_removed;
    result.packs_repacked = report.packs_repacked;
    if (report.packs_removed > 0) {
        spdlog::info("vault: collected {} pack(s) ({} repacked), {} freed", report.packs_removed,
                     report.packs_repacked, format_bytes(report.freed_bytes));
    }
    return result;
}

std::uint64_t Vault::freed_if_removed(const std::vector<std::pair<std::string, Version>>& removed) {
    if (!damaged().empty()) {
        return 0;
    }
    std::vector<store::ChunkId> missing;
    const auto referenced = referenced_chunks(removed);
    return m_store->plan(referenced, missing).freed_bytes();
}

} // namespace mv::vault
