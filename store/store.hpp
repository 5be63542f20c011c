#pragma once
// The content-addressed chunk store beneath the vault (docs/FORMAT.md): packs of
// compressed chunks, their index, backups writing through sessions, verified reads and
// collection. It knows nothing of models or versions: the vault tells it which chunks
// its manifests reference.
//
//   ROOT/packs/<2 hex>/<64 hex>   pack files, named by the SHA-256 of their bytes
//   ROOT/index/<64 hex>           index files, named likewise
//
// Thread-safe: sessions write from several threads at once, readers and one collection
// run beside them.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/codec.hpp"
#include "store/gc_plan.hpp"
#include "store/index_table.hpp"
#include "store/sealing.hpp"

namespace mv::store {

struct StoreOptions {
    std::filesystem::path root;
    std::filesystem::path tmp; ///< same file system; emptied by the caller at start
    CodecSettings codec;       ///< how new chunks are compressed
    bool verify_writes = true; ///< decode every new chunk before it is written
    std::uint64_t pack_target = 32u << 20;
};

struct StoreStats {
    std::size_t packs = 0;
    std::size_t chunks = 0;
    std::uint64_t stored_bytes = 0; ///< sum of the pack files' sizes
};

/// Where a chunk lives.
struct ChunkLocation {
    IndexEntry entry;
    PackId pack;
    std::uint64_t pack_size = 0;
};

class WriteSession;

class Store {
public:
    /// Opens the store at options.root (creating its folders), loads every index file
    /// and indexes packs no index file lists (left by a crash between a pack and its
    /// index, or after a damaged index file) from their own headers. Throws Error when
    /// the folders cannot be read.
    /// `key` is an encrypted vault's master key: blobs, pack headers and index files are
    /// sealed and chunks get keyed names (store/sealing.hpp); null for a plain vault.
    static std::unique_ptr<Store> open(StoreOptions options,
                                       std::unique_ptr<ChunkNamer> namer = nullptr,
                                       std::shared_ptr<const crypto::MasterKey> key = nullptr);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// A new write session (one per backup).
    std::unique_ptr<WriteSession> begin_write();

    std::optional<ChunkLocation> locate(const ChunkId& id) const;
    /// Every place the chunk is stored (more than one after concurrent backups stored it
    /// twice, until a collection keeps one).
    std::vector<ChunkLocation> locate_all(const ChunkId& id) const;
    std::filesystem::path pack_path(const PackId& id) const;
    StoreStats stats() const;
    const ChunkNamer& namer() const { return *m_namer; }
    const Sealing& sealing() const { return m_sealing; }
    const StoreOptions& options() const { return m_options; }
    void set_codec(const CodecSettings& codec, bool verify_writes);
    std::pair<CodecSettings, bool> codec() const;

    /// What a collection would do if only `referenced` (sorted) were referenced, besides
    /// the chunks pinned by sessions. `missing` receives referenced chunks not stored.
    CollectionPlan plan(std::span<const ChunkId> referenced, std::vector<ChunkId>& missing,
                        const CollectionPolicy& policy = {}) const;

    /// Reads every pack completely, like restic's `check --read-data`: its bytes must hash
    /// to its name, its header must parse and agree with the index, and every blob must
    /// decode to bytes that hash to its chunk's name. Returns what is wrong, each naming
    /// the pack (and chunk). Throws Error(cancelled) on `stop`. `progress` gets bytes read.
    std::vector<std::string>
    check_packs(const std::stop_token& stop,
                const std::function<void(std::uint64_t)>& progress = {}) const;

    struct CollectionReport {
        std::uint64_t freed_bytes = 0; ///< pack bytes removed less pack bytes written
        std::size_t packs_removed = 0; ///< including those repacked
        std::size_t packs_repacked = 0;
        std::size_t chunks_removed = 0;
        std::vector<ChunkId> missing; ///< referenced but not stored: nothing was removed
    };
    /// Collects garbage: calls `references` for the sorted chunk ids every committed
    /// version references (it is called after the pins are read; see collect.cpp for why
    /// that order is safe), plans, repacks, rewrites index files and removes packs. One
    /// collection at a time; backups continue meanwhile. Throws Error on I/O failure
    /// (what was done so far is consistent).
    CollectionReport collect(const std::function<std::vector<ChunkId>()>& references,
                             const std::stop_token& stop, const CollectionPolicy& policy = {});

private:
    friend class WriteSession;
    friend class ChunkReader;
    Store(StoreOptions options, std::unique_ptr<ChunkNamer> namer,
          std::shared_ptr<const crypto::MasterKey> key);
    void load_index();
    void index_unlisted_packs();
    /// Makes a finished pack durable under packs/ and writes an index file for `packs`.
    Digest publish(const std::vector<IndexedPack>& packs,
                   const std::vector<std::filesystem::path>& temporary);
    Digest write_index_file(const std::vector<IndexedPack>& packs);
    std::vector<IndexedPack> repack(const std::vector<std::uint32_t>& packs,
                                    std::span<const ChunkId> referenced,
                                    std::span<const ChunkId> pins, const std::stop_token& stop);
    std::vector<Digest> retire(std::vector<std::uint32_t>& retiring);
    void rewrite_index_files(const std::vector<Digest>& files);
    std::optional<std::uint32_t> pack_number_of(const PackId& id) const;
    std::optional<IndexEntry> find_and_pin(const ChunkId& id);
    void unpin(const std::vector<ChunkId>& ids);
    std::vector<ChunkId> pinned() const;

    StoreOptions m_options;
    std::unique_ptr<ChunkNamer> m_namer;
    Sealing m_sealing;
    mutable std::shared_mutex m_mutex; ///< guards m_table, m_pins and m_options.codec
    IndexTable m_table;
    std::unordered_map<ChunkId, std::uint32_t, DigestHash> m_pins;
    std::mutex m_collect_mutex;                         ///< one collection at a time
    std::vector<std::filesystem::path> m_damaged_index; ///< found at open, rebuilt, removed
};

} // namespace mv::store
