#include "ctl/chunk_cache.hpp"

#include "store/sha256.hpp"

namespace mv::ctl {

namespace {

// The file's SHA-256 and the SHA-256 of its chunk names in order: equal keys, equal bytes
// (each chunk is checked against its name).
std::string file_key(const vault::FileEntry& file) {
    store::Sha256 chunks;
    for (const auto& ref : file.chunks) {
        chunks.update(ref.id.bytes.data(), ref.id.bytes.size());
    }
    return file.sha256 + chunks.hex_digest();
}

} // namespace

const std::vector<std::uint8_t>* ChunkCache::find(const store::ChunkId& id) {
    const auto it = m_chunks.find(id);
    if (it == m_chunks.end()) {
        return nullptr;
    }
    m_uses.splice(m_uses.begin(), m_uses, it->second.use);
    return &it->second.bytes;
}

void ChunkCache::keep(const store::ChunkId& id, std::span<const std::uint8_t> bytes) {
    if (bytes.size() > m_budget || m_chunks.contains(id)) {
        return;
    }
    while (m_bytes + bytes.size() > m_budget) {
        const auto oldest = m_chunks.find(m_uses.back());
        m_bytes -= oldest->second.bytes.size();
        m_chunks.erase(oldest);
        m_uses.pop_back();
    }
    m_uses.push_front(id);
    m_chunks.emplace(id, Kept{{bytes.begin(), bytes.end()}, m_uses.begin()});
    m_bytes += bytes.size();
}

bool ChunkCache::file_checked(const vault::FileEntry& file) const {
    return m_files.contains(file_key(file));
}

void ChunkCache::mark_checked(const vault::FileEntry& file) {
    m_files.insert(file_key(file));
}

} // namespace mv::ctl
