#include "store/write_session.hpp"

#include <cstring>

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
        scratch.decoded.resize(chunk.size());
        auto decoded = decode_chunk(scratch.encoded, result.codec, scratch.decoded, scratch.codec);
        if (!decoded || std::memcmp(scratch.decoded.data(), chunk.data(), chunk.size()) != 0) {
            throw Error(fmt::format("internal error: chunk {} does not decode to its bytes ({})",
                                    result.id.short_hex(),
                                    decoded ? "different bytes" : decoded.error()),
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
    std::lock_guard lock(m_mutex);
    if (m_own.contains(result.id)) {
        return result; // another thread of this session stored it meanwhile
    }
    append(result.id, result.codec, blob, static_cast<std::uint32_t>(chunk.size()));
    m_own.emplace(result.id, true);
    result.stored = true;
    result.stored_bytes = blob.size();
    return result;
}

void WriteSession::append(const ChunkId& id, BlobCodec codec, std::span<const std::uint8_t> stored,
                          std::uint32_t raw_length) {
    if (!m_current) {
        m_current = std::make_unique<PackWriter>(temporary_pack(), m_store.sealing());
    }
    m_current->append(id, codec, stored, raw_length);
    m_new_bytes += stored.size();
    if (m_current->size() >= m_store.m_options.pack_target) {
        finish_current_pack();
    }
}

void WriteSession::finish_current_pack() {
    if (!m_current || m_current->blob_count() == 0) {
        return;
    }
    m_finished.push_back(m_current->finish());
    m_full.push_back(std::move(m_current));
}

std::uint64_t WriteSession::commit() {
    std::lock_guard lock(m_mutex);
    if (m_committed) {
        return 0;
    }
    finish_current_pack();
    m_current.reset();
    std::uint64_t bytes = 0;
    if (!m_finished.empty()) {
        std::vector<std::filesystem::path> temporary;
        for (const auto& writer : m_full) {
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
