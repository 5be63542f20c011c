#pragma once
// One backup's writes to the store. put() stores a chunk unless the store or this session
// already has it; a chunk the store already has is pinned, so that a collection running
// meanwhile keeps it. Nothing the session writes is visible before commit(): its packs
// stay in the temporary folder until then. finish() drops the pins once the version's
// manifest is durable (its references protect the chunks from then on). A session
// destroyed without commit() removes its packs.

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/byte_buffer.hpp"
#include "store/codec.hpp"
#include "store/pack_writer.hpp"

namespace mv::store {

class Store;

/// Sealed packs a session leaves waiting for their fsync while its workers go on.
inline constexpr std::size_t k_packs_in_write_back = 4;

/// What one chunk holds, as far as the codec choice goes.
struct ChunkHint {
    ValueType type = ValueType::unknown;
    std::uint64_t prefix = 0; ///< bytes before the first value
};

struct PutResult {
    ChunkId id;
    bool stored = false;            ///< false: the store or the session already had it
    std::uint64_t stored_bytes = 0; ///< bytes added to a pack (0 when not stored)
    BlobCodec codec = BlobCodec::raw;
};

/// Scratch space of one thread calling put().
struct PutScratch {
    CodecContext codec;
    ByteBuffer encoded;
    std::vector<std::uint8_t> sealed; ///< the blob as a pack stores it (encrypted vaults)
};

class WriteSession {
public:
    explicit WriteSession(Store& store);
    ~WriteSession();
    WriteSession(const WriteSession&) = delete;
    WriteSession& operator=(const WriteSession&) = delete;

    /// Names `chunk` and stores it if needed. Thread-safe. Throws Error(io) when a pack
    /// cannot be written, Error(internal) when the encoded chunk does not decode to it.
    PutResult put(std::span<const std::uint8_t> chunk, const ChunkHint& hint, PutScratch& scratch);

    /// Moves the session's packs into place and writes their index file, all durable;
    /// the chunks are visible to lookups afterwards. Returns the bytes of the new packs.
    std::uint64_t commit();
    /// Drops the pins (call once the manifest referencing the chunks is durable).
    void finish();

    std::uint64_t new_chunks() const;
    std::uint64_t new_bytes() const;

    /// How the syncer makes a sealed pack durable (PackWriter::make_durable). Tests hold it
    /// back or make it fail; set it before the first put().
    void set_pack_sync(std::function<void(PackWriter&)> sync) { m_pack_sync = std::move(sync); }

private:
    void append(const ChunkId& id, BlobCodec codec, std::span<const std::uint8_t> stored,
                std::uint32_t raw_length);
    void done_appending(std::unique_ptr<PackWriter> writer, std::optional<IndexedPack> finished,
                        std::uint64_t bytes);
    void wait_for_the_disk();
    void sync_sealed_packs(const std::stop_token& stop);
    void finish_idle_packs();
    std::filesystem::path temporary_pack() const;

    Store& m_store;
    mutable std::mutex m_mutex;
    std::condition_variable m_appended;
    unsigned m_appending = 0;                        ///< threads writing into a pack now
    unsigned m_open_packs = 0;                       ///< packs begun and not yet full
    std::vector<std::unique_ptr<PackWriter>> m_idle; ///< open packs no thread is writing
    std::vector<std::unique_ptr<PackWriter>> m_full; ///< sealed, not yet published
    std::size_t m_synced = 0;                        ///< m_full's first packs, made durable
    bool m_syncing = false; ///< the syncer is making m_full[m_synced] durable
    std::exception_ptr m_sync_failed;
    std::condition_variable_any m_sync_progress;
    std::function<void(PackWriter&)> m_pack_sync = [](PackWriter& pack) { pack.make_durable(); };
    std::vector<IndexedPack> m_finished;
    std::unordered_map<ChunkId, bool, DigestHash> m_own; ///< chunks this session stored
    std::vector<ChunkId> m_pins;
    std::uint64_t m_new_bytes = 0;
    bool m_committed = false;
    std::jthread m_syncer; ///< last: stopped and joined before the members it uses go
};

} // namespace mv::store
