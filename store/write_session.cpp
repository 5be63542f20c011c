#include "store/write_session.hpp"

#include <fmt/format.h>

#include "store/store.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::store {

WriteSession::WriteSession(Store& store) : m_store(store) {}

WriteSession::~WriteSession() {
    // Uncommitted packs are removed by their writers' destructors.
    finish();
}

std::filesystem::path WriteSession::temporary_pack() const {
    return m_store.m_options.tmp / fmt::format("pack-{}.part", fs::unique_suffix());
}

PutResult WriteSession::put(std::span<const std::uint8_t> chunk, const ChunkHint& hint,
                            PutScratch& scratch) {
    PutResult result;
    result.id = m_store.namer().name(chunk);
    {
        std::lock_guard lock(m_mutex);
        if (m_own.contains(result.id)) {
            return result;
        }
    }
    if (m_store.find_and_pin(result.id)) {
        std::lock_guard lock(m_mutex);
        m_pins.push_back(result.id);
        return result;
    }
    const auto [settings, verify] = m_store.codec();
    const CodecChoice choice = choose_codec(chunk, hint.type, hint.prefix, settings, scratch.codec);
    result.codec = encode_chunk(chunk, choice, settings.level, scratch.codec, scratch.encoded);
    if (verify) {
        // The stored form must give the chunk back before it is written anywhere.
        if (auto same = check_chunk(scratch.encoded, result.codec, chunk, scratch.codec); !same) {
            throw Error(fmt::format("internal error: chunk {} does not decode to its bytes ({})",
                                    result.id.short_hex(), same.error()),
                        ErrorCode::internal);
        }
    }
    // Sealed outside the lock, so that threads encrypt in parallel.
    std::span<const std::uint8_t> blob = scratch.encoded;
    if (m_store.sealing().enabled()) {
        scratch.sealed.clear();
        m_store.sealing().seal_blob(result.id, scratch.encoded, scratch.sealed);
        blob = scratch.sealed;
    }
    {
        std::lock_guard lock(m_mutex);
        if (!m_own.emplace(result.id, true).second) {
            return result; // another thread of this session stored it meanwhile
        }
    }
    append(result.id, result.codec, blob, static_cast<std::uint32_t>(chunk.size()));
    result.stored = true;
    result.stored_bytes = blob.size();
    return result;
}

// Packs are written outside the session's lock: writing one (a copy into the page cache,
// its SHA-256; the fsync is the syncer's) was most of a fresh backup's time and made the
// workers wait for each other (bench/README.md). Once a backup has stored a pack's worth,
// each thread may open a pack of its own; before that they share one, so that a small
// backup still makes a single pack.
void WriteSession::append(const ChunkId& id, BlobCodec codec, std::span<const std::uint8_t> stored,
                          std::uint32_t raw_length) {
    std::unique_ptr<PackWriter> writer;
    {
        std::unique_lock lock(m_mutex);
        m_appended.wait(lock, [&] {
            return !m_idle.empty() || m_open_packs == 0 ||
                   m_new_bytes >= m_store.m_options.pack_target;
        });
        ++m_appending;
        if (!m_idle.empty()) {
            writer = std::move(m_idle.back());
            m_idle.pop_back();
        } else {
            ++m_open_packs;
        }
    }
    std::optional<IndexedPack> finished;
    try {
        if (!writer) {
            writer = std::make_unique<PackWriter>(temporary_pack(), m_store.sealing());
        }
        writer->append(id, codec, stored, raw_length);
        if (writer->size() >= m_store.m_options.pack_target) {
            finished = writer->seal();
        }
    } catch (...) {
        done_appending(nullptr, std::nullopt, 0);
        throw;
    }
    const bool sealed = finished.has_value();
    done_appending(std::move(writer), std::move(finished), stored.size());
    if (sealed) {
        wait_for_the_disk();
    }
}

// A sealed pack's fsync waits for the disk (most of it for the file system's journal, some
// 30 ms here): the worker that sealed it goes on, and the session's syncer thread makes it
// durable meanwhile. A worker only waits when more than k_packs_in_write_back packs are
// waiting for the syncer, which bounds the files a large backup keeps open.
void WriteSession::wait_for_the_disk() {
    std::unique_lock lock(m_mutex);
    if (!m_syncer.joinable()) {
        m_syncer = std::jthread([this](std::stop_token stop) { sync_sealed_packs(stop); });
    }
    m_sync_progress.notify_all();
    m_sync_progress.wait(
        lock, [&] { return m_sync_failed || m_full.size() - m_synced <= k_packs_in_write_back; });
    if (m_sync_failed) {
        std::rethrow_exception(m_sync_failed);
    }
}

void WriteSession::sync_sealed_packs(const std::stop_token& stop) {
    std::unique_lock lock(m_mutex);
    // Stopped: the session was abandoned, and its packs are about to be removed.
    while (m_sync_progress.wait(lock, stop, [&] { return m_synced < m_full.size(); }) &&
           !stop.stop_requested()) {
        PackWriter& pack = *m_full[m_synced];
        m_syncing = true;
        lock.unlock();
        std::exception_ptr failed;
        try {
            m_pack_sync(pack);
        } catch (...) {
            failed = std::current_exception();
        }
        lock.lock();
        m_syncing = false;
        ++m_synced;
        if (failed && !m_sync_failed) {
            m_sync_failed = failed;
        }
        m_sync_progress.notify_all();
    }
}

void WriteSession::done_appending(std::unique_ptr<PackWriter> writer,
                                  std::optional<IndexedPack> finished, std::uint64_t bytes) {
    std::lock_guard lock(m_mutex);
    m_new_bytes += bytes;
    if (finished) {
        m_finished.push_back(std::move(*finished));
        m_full.push_back(std::move(writer));
        --m_open_packs;
    } else if (writer) {
        m_idle.push_back(std::move(writer));
    } else {
        --m_open_packs; // it failed and was removed
    }
    --m_appending;
    m_appended.notify_all();
}

void WriteSession::finish_idle_packs() {
    for (auto& writer : m_idle) {
        if (writer->blob_count() == 0) {
            continue;
        }
        m_finished.push_back(writer->seal());
        m_full.push_back(std::move(writer));
    }
    m_open_packs -= static_cast<unsigned>(m_idle.size());
    m_idle.clear();
}

std::uint64_t WriteSession::commit() {
    std::unique_lock lock(m_mutex);
    m_appended.wait(lock, [&] { return m_appending == 0; });
    m_sync_progress.wait(lock, [&] { return !m_syncing; });
    if (m_sync_failed) {
        std::rethrow_exception(m_sync_failed);
    }
    if (m_committed) {
        return 0;
    }
    finish_idle_packs();
    m_synced = m_full.size(); // the rest is made durable below, not by the syncer
    std::uint64_t bytes = 0;
    if (!m_finished.empty()) {
        std::vector<std::filesystem::path> temporary;
        for (const auto& writer : m_full) {
            writer->make_durable(); // before anything names it
            temporary.push_back(writer->path());
        }
        // Published and pinned in one step: a collection never sees them unpinned
        // before the manifest that references them exists.
        m_store.publish(m_finished, temporary);
        for (const auto& pack : m_finished) {
            for (const auto& blob : pack.blobs) {
                m_pins.push_back(blob.id);
            }
        }
        for (const auto& writer : m_full) {
            writer->release();
        }
        for (const auto& pack : m_finished) {
            bytes += pack.size;
        }
    }
    m_committed = true;
    return bytes;
}

void WriteSession::finish() {
    std::vector<ChunkId> pins;
    {
        std::lock_guard lock(m_mutex);
        pins.swap(m_pins);
    }
    m_store.unpin(pins);
}

std::uint64_t WriteSession::new_chunks() const {
    std::lock_guard lock(m_mutex);
    return m_own.size();
}

std::uint64_t WriteSession::new_bytes() const {
    std::lock_guard lock(m_mutex);
    return m_new_bytes;
}

} // namespace mv::store
