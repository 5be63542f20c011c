#pragma once
// What `verify --replica NAME --read-data` has fetched and checked already
// (docs/REPLICAS.md, "Verify"): versions of a model share most of their chunks, and a
// replica's chunks cost a request and egress each. A chunk checked against its name is
// kept, decoded, while the budget allows (least recently used out first); a file whose
// SHA-256 and chunk list were both checked before is not read again.

#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/digest.hpp"
#include "vault/manifest.hpp"

namespace mv::ctl {

class ChunkCache {
public:
    explicit ChunkCache(std::uint64_t budget) : m_budget(budget) {}

    /// The bytes of chunk `id` if they are kept; null otherwise.
    const std::vector<std::uint8_t>* find(const store::ChunkId& id);
    /// Keeps the checked bytes of chunk `id` (nothing when they alone exceed the budget).
    void keep(const store::ChunkId& id, std::span<const std::uint8_t> bytes);

    /// True when a file with `file`'s SHA-256 and chunk list was checked already.
    bool file_checked(const vault::FileEntry& file) const;
    void mark_checked(const vault::FileEntry& file);

    std::uint64_t kept_bytes() const { return m_bytes; }

private:
    struct Kept {
        std::vector<std::uint8_t> bytes;
        std::list<store::ChunkId>::iterator use; ///< its place in m_uses, newest first
    };
    std::uint64_t m_budget;
    std::uint64_t m_bytes = 0;
    std::list<store::ChunkId> m_uses;
    std::unordered_map<store::ChunkId, Kept, store::DigestHash> m_chunks;
    std::unordered_set<std::string> m_files; ///< SHA-256 of the file, and of its chunk list
};

} // namespace mv::ctl
