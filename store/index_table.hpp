#pragma once
// Where every chunk is: the in-memory form of the index files. A compact table sorted by
// chunk id (52 bytes a chunk: a million chunks take 50 MiB and load in well under a
// second), not a map of strings. Not thread-safe by itself: the Store guards it.

#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "store/index_format.hpp"

namespace mv::store {

/// One blob in the table; `pack` is a number into IndexTable::packs().
struct IndexEntry {
    ChunkId id;
    std::uint32_t pack = 0;
    std::uint32_t offset = 0;
    std::uint32_t stored_length = 0;
    std::uint32_t raw_length = 0;
    BlobCodec codec = BlobCodec::raw;
};

struct PackRecord {
    PackId id;
    std::uint64_t size = 0;
    std::uint32_t blobs = 0;
    bool live = true; ///< false once collected (numbers are never reused)
};

class IndexTable {
public:
    /// Adds the packs listed by index file `file`. A pack already known (listed by
    /// another file too) only gains the association.
    void add(const Digest& file, const std::vector<IndexedPack>& packs);
    /// Between these two, add() only appends (loading many files at open); lookups need
    /// finish_loading(), which sorts once.
    /// `expected_entries` (an upper bound: the index files' sizes over k_index_entry_bytes)
    /// is room made at once: a million chunks are not copied while the table doubles.
    void begin_loading(std::size_t expected_entries = 0) {
        m_loading = true;
        m_sorted.reserve(expected_entries);
    }
    void finish_loading();

    /// The first live entry for `id`, if any.
    std::optional<IndexEntry> find(const ChunkId& id) const;
    /// Every entry for `id` (a chunk stored twice has two).
    std::vector<IndexEntry> find_all(const ChunkId& id) const;

    /// Forgets `packs` (their entries and their association with index files).
    void remove_packs(const std::vector<std::uint32_t>& packs);

    const std::vector<PackRecord>& packs() const { return m_packs; }
    std::optional<std::uint32_t> pack_number(const PackId& id) const;
    /// The index files and the live packs each lists.
    const std::map<Digest, std::vector<std::uint32_t>>& files() const { return m_files; }
    /// Drops the association of index file `file` (after it was rewritten or removed).
    void forget_file(const Digest& file);

    /// Calls `visit` for every live entry, in chunk id order within each of the two runs.
    template <typename Visit>
    void for_each(Visit&& visit) const {
        for (const auto& entry : m_sorted) {
            visit(entry);
        }
        for (const auto& entry : m_recent) {
            visit(entry);
        }
    }
    /// The live entries of one pack, in offset order (a pass over the whole table).
    std::vector<IndexEntry> entries_of(std::uint32_t pack) const;
    /// The live entries of each of `packs`, in offset order, in one pass.
    std::map<std::uint32_t, std::vector<IndexEntry>>
    entries_of(const std::vector<std::uint32_t>& packs) const;

    std::size_t entry_count() const { return m_sorted.size() + m_recent.size(); }
    std::uint64_t stored_bytes() const; ///< sum of the live packs' sizes

private:
    void merge_recent_if_large();

    std::vector<PackRecord> m_packs;
    std::unordered_map<PackId, std::uint32_t, DigestHash> m_pack_numbers;
    std::map<Digest, std::vector<std::uint32_t>> m_files;
    std::vector<IndexEntry> m_sorted; ///< by id (then pack)
    std::vector<IndexEntry> m_recent; ///< by id; added since the last merge
    bool m_loading = false;
};

} // namespace mv::store
