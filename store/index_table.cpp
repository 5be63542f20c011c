#include "store/index_table.hpp"

#include <algorithm>
#include <unordered_set>

namespace mv::store {

namespace {

bool by_id(const IndexEntry& a, const IndexEntry& b) {
    const auto order = a.id <=> b.id; // one comparison of the 32 bytes, not two
    return order < 0 || (order == 0 && a.pack < b.pack);
}

void find_in(const std::vector<IndexEntry>& run, const ChunkId& id, std::vector<IndexEntry>& out) {
    auto it = std::lower_bound(run.begin(), run.end(), id,
                               [](const IndexEntry& e, const ChunkId& key) { return e.id < key; });
    for (; it != run.end() && it->id == id; ++it) {
        out.push_back(*it);
    }
}

} // namespace

void IndexTable::add(const Digest& file, const std::vector<IndexedPack>& packs) {
    auto& listed = m_files[file];
    std::vector<IndexEntry> added;
    for (const auto& pack : packs) {
        if (const auto known = pack_number(pack.id)) {
            listed.push_back(*known);
            continue;
        }
        const auto number = static_cast<std::uint32_t>(m_packs.size());
        m_packs.push_back(
            {pack.id, pack.size, static_cast<std::uint32_t>(pack.blobs.size()), true});
        m_pack_numbers.emplace(pack.id, number);
        listed.push_back(number);
        for (const auto& blob : pack.blobs) {
            added.push_back(
                {blob.id, number, blob.offset, blob.stored_length, blob.raw_length, blob.codec});
        }
    }
    if (m_loading) {
        m_sorted.insert(m_sorted.end(), added.begin(), added.end());
        return;
    }
    std::sort(added.begin(), added.end(), by_id);
    const auto middle = m_recent.insert(m_recent.end(), added.begin(), added.end());
    std::inplace_merge(m_recent.begin(), middle, m_recent.end(), by_id);
    merge_recent_if_large();
}

void IndexTable::finish_loading() {
    std::sort(m_sorted.begin(), m_sorted.end(), by_id);
    m_loading = false;
}

void IndexTable::merge_recent_if_large() {
    if (m_recent.size() < 4096 + m_sorted.size() / 8) {
        return;
    }
    const auto middle = m_sorted.insert(m_sorted.end(), m_recent.begin(), m_recent.end());
    std::inplace_merge(m_sorted.begin(), middle, m_sorted.end(), by_id);
    m_recent.clear();
    m_recent.shrink_to_fit();
}

std::vector<IndexEntry> IndexTable::find_all(const ChunkId& id) const {
    std::vector<IndexEntry> found;
    find_in(m_sorted, id, found);
    find_in(m_recent, id, found);
    return found;
}

std::optional<IndexEntry> IndexTable::find(const ChunkId& id) const {
    for (const auto* run : {&m_sorted, &m_recent}) {
        auto it =
            std::lower_bound(run->begin(), run->end(), id,
                             [](const IndexEntry& e, const ChunkId& key) { return e.id < key; });
        if (it != run->end() && it->id == id) {
            return *it;
        }
    }
    return std::nullopt;
}

void IndexTable::remove_packs(const std::vector<std::uint32_t>& packs) {
    const std::unordered_set<std::uint32_t> gone(packs.begin(), packs.end());
    for (auto* run : {&m_sorted, &m_recent}) {
        std::erase_if(*run, [&](const IndexEntry& e) { return gone.contains(e.pack); });
    }
    for (const auto number : packs) {
        m_packs[number].live = false;
        m_pack_numbers.erase(m_packs[number].id);
    }
    for (auto& [file, listed] : m_files) {
        std::erase_if(listed, [&](std::uint32_t number) { return gone.contains(number); });
    }
}

std::optional<std::uint32_t> IndexTable::pack_number(const PackId& id) const {
    const auto it = m_pack_numbers.find(id);
    return it == m_pack_numbers.end() ? std::nullopt : std::optional(it->second);
}

void IndexTable::forget_file(const Digest& file) {
    m_files.erase(file);
}

std::vector<IndexEntry> IndexTable::entries_of(std::uint32_t pack) const {
    std::vector<IndexEntry> entries;
    for_each([&](const IndexEntry& e) {
        if (e.pack == pack) {
            entries.push_back(e);
        }
    });
    std::sort(entries.begin(), entries.end(),
              [](const IndexEntry& a, const IndexEntry& b) { return a.offset < b.offset; });
    return entries;
}

std::map<std::uint32_t, std::vector<IndexEntry>>
IndexTable::entries_of(const std::vector<std::uint32_t>& packs) const {
    std::map<std::uint32_t, std::vector<IndexEntry>> found;
    for (const auto pack : packs) {
        found[pack];
    }
    for_each([&](const IndexEntry& e) {
        if (const auto it = found.find(e.pack); it != found.end()) {
            it->second.push_back(e);
        }
    });
    for (auto& [pack, entries] : found) {
        std::sort(entries.begin(), entries.end(),
                  [](const IndexEntry& a, const IndexEntry& b) { return a.offset < b.offset; });
    }
    return found;
}

std::uint64_t IndexTable::stored_bytes() const {
    std::uint64_t total = 0;
    for (const auto& pack : m_packs) {
        total += pack.live ? pack.size : 0;
    }
    return total;
}

} // namespace mv::store
