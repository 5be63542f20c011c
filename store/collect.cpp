// Collection (docs/FORMAT.md "Collection"): acting on the pure plan of gc_plan.hpp.
//
// Why it never removes a chunk a committed version or a backup in flight needs:
//   1. The pins are read first, then the references: a session drops its pins only after
//      its manifest is in the catalog, so each of its chunks is in one or the other.
//   2. Packs with no needed blob go first (that needs no room: a full disk gets their
//      space back). Then the needed blobs of repacked packs are copied (and checked) into
//      new packs, durable and indexed before those packs are removed; a needed chunk
//      whose other copy was in a pack that went is copied too (repack() sees no copy).
//   3. Under the lock, a pack about to go is kept if a chunk in it was pinned since the
//      plan (a backup found it meanwhile) and has no other copy.
//   4. Index files that list removed packs are rewritten (new file first, old removed
//      after), then the packs are removed. A crash anywhere leaves duplicates or packs no
//      index lists, which the next open indexes again — never a missing chunk.
#include <algorithm>
#include <set>
#include <unistd.h>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/pack_writer.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::store {

namespace stdfs = std::filesystem;

namespace {

bool contains(std::span<const ChunkId> sorted, const ChunkId& id) {
    return std::binary_search(sorted.begin(), sorted.end(), id);
}

} // namespace

// Copies the needed blobs of `packs` into new packs; returns them, published and pinned.
std::vector<IndexedPack> Store::repack(const std::vector<std::uint32_t>& packs,
                                       std::span<const ChunkId> referenced,
                                       std::span<const ChunkId> pins, const std::stop_token& stop) {
    const std::set<std::uint32_t> leaving(packs.begin(), packs.end());
    std::vector<std::pair<IndexEntry, PackId>> copies;
    {
        std::shared_lock lock(m_mutex);
        std::unordered_set<ChunkId, DigestHash> chosen;
        m_table.for_each([&](const IndexEntry& entry) {
            if (!leaving.contains(entry.pack) || chosen.contains(entry.id) ||
                !(contains(referenced, entry.id) || contains(pins, entry.id))) {
                return;
            }
            const auto all = m_table.find_all(entry.id);
            if (std::any_of(all.begin(), all.end(),
                            [&](const IndexEntry& e) { return !leaving.contains(e.pack); })) {
                return; // a copy stays elsewhere
            }
            chosen.insert(entry.id);
            copies.emplace_back(entry, m_table.packs()[entry.pack].id);
        });
    }
    std::sort(copies.begin(), copies.end(), [](const auto& a, const auto& b) {
        return std::tie(a.second, a.first.offset) < std::tie(b.second, b.first.offset);
    });
    std::vector<std::unique_ptr<PackWriter>> writers;
    std::vector<IndexedPack> written;
    CodecContext codec;
    std::vector<std::uint8_t> stored;
    std::vector<std::uint8_t> decoded;
    std::vector<std::uint8_t> unsealed;
    for (const auto& [entry, pack] : copies) {
        if (stop.stop_requested()) {
            throw Error("collection abandoned: the daemon is stopping", ErrorCode::cancelled);
        }
        auto fd =
            value_or_throw(fs::open_for_reading(pack_path(pack), false), "", ErrorCode::corrupt);
        stored.resize(entry.stored_length);
        decoded.resize(entry.raw_length);
        const bool read = ::pread(fd.get(), stored.data(), stored.size(), entry.offset) ==
                          static_cast<ssize_t>(stored.size());
        // A sealed blob is checked opened and copied sealed (its seal binds only its id).
        const auto opened = read ? m_sealing.open_blob(entry.id, stored, unsealed)
                                 : Result<std::span<const std::uint8_t>>(failure("short read"));
        if (!opened || !decode_chunk(*opened, entry.codec, decoded, codec) ||
            m_namer->name(decoded) != entry.id) {
            // Copying a damaged chunk would hide the damage: stop and keep everything.
            throw Error(fmt::format("collection stopped: chunk {} in pack {} is damaged; run "
                                    "`modelvaultctl verify --all --read-data`",
                                    entry.id.short_hex(), pack.short_hex()),
                        ErrorCode::corrupt);
        }
        if (writers.empty() || writers.back()->size() >= m_options.pack_target) {
            if (!writers.empty()) {
                written.push_back(writers.back()->finish());
            }
            writers.push_back(std::make_unique<PackWriter>(
                m_options.tmp / fmt::format("repack-{}.part", fs::unique_suffix()), m_sealing));
        }
        writers.back()->append(entry.id, entry.codec, stored, entry.raw_length);
    }
    if (!writers.empty() && writers.back()->blob_count() > 0) {
        written.push_back(writers.back()->finish());
    }
    if (!written.empty()) {
        std::vector<stdfs::path> temporary;
        for (const auto& writer : writers) {
            temporary.push_back(writer->path());
        }
        publish(written, temporary);
        for (const auto& writer : writers) {
            writer->release();
        }
    }
    return written;
}

// Under the lock: drops the packs whose chunks were pinned since the plan (and exist
// nowhere else) from `retiring`, then forgets the rest. Returns the index files that
// listed a retired pack.
std::vector<Digest> Store::retire(std::vector<std::uint32_t>& retiring) {
    std::unique_lock lock(m_mutex);
    const std::set<std::uint32_t> leaving(retiring.begin(), retiring.end());
    std::set<std::uint32_t> keep;
    m_table.for_each([&](const IndexEntry& entry) {
        if (!leaving.contains(entry.pack) || !m_pins.contains(entry.id)) {
            return;
        }
        const auto all = m_table.find_all(entry.id);
        if (std::none_of(all.begin(), all.end(),
                         [&](const IndexEntry& e) { return !leaving.contains(e.pack); })) {
            keep.insert(entry.pack);
        }
    });
    std::erase_if(retiring, [&](std::uint32_t pack) { return keep.contains(pack); });
    std::vector<Digest> files;
    const std::set<std::uint32_t> gone(retiring.begin(), retiring.end());
    for (const auto& [file, listed] : m_table.files()) {
        if (std::any_of(listed.begin(), listed.end(),
                        [&](std::uint32_t pack) { return gone.contains(pack); })) {
            files.push_back(file);
        }
    }
    m_table.remove_packs(retiring);
    return files;
}

// Replaces `files` by one index file listing the packs they still list (when any).
void Store::rewrite_index_files(const std::vector<Digest>& files) {
    std::vector<IndexedPack> remaining;
    {
        std::shared_lock lock(m_mutex);
        std::set<std::uint32_t> packs;
        for (const auto& file : files) {
            const auto it = m_table.files().find(file);
            if (it != m_table.files().end()) {
                packs.insert(it->second.begin(), it->second.end());
            }
        }
        const auto entries =
            m_table.entries_of(std::vector<std::uint32_t>(packs.begin(), packs.end()));
        for (const auto& [number, blobs] : entries) {
            IndexedPack pack{m_table.packs()[number].id, m_table.packs()[number].size, {}};
            for (const auto& e : blobs) {
                pack.blobs.push_back({e.id, e.codec, e.offset, e.stored_length, e.raw_length});
            }
            remaining.push_back(std::move(pack));
        }
    }
    if (!remaining.empty()) {
        const Digest file = write_index_file(remaining);
        std::unique_lock lock(m_mutex);
        m_table.add(file, remaining);
    }
    for (const auto& file : files) {
        value_or_throw(fs::remove_durable(m_options.root / "index" / file.hex()),
                       "cannot remove an old index file: ");
        std::unique_lock lock(m_mutex);
        m_table.forget_file(file);
    }
}

Store::CollectionReport Store::collect(const std::function<std::vector<ChunkId>()>& references,
                                       const std::stop_token& stop,
                                       const CollectionPolicy& policy) {
    std::lock_guard one_at_a_time(m_collect_mutex);
    CollectionReport report;
    const std::vector<ChunkId> pins = pinned();
    const std::vector<ChunkId> referenced = references();
    CollectionPlan plan;
    {
        std::shared_lock lock(m_mutex);
        plan = plan_collection(pack_usage(m_table, referenced, pins, report.missing), policy);
    }
    if (!report.missing.empty() || plan.empty()) {
        return report; // never remove anything while referenced chunks are missing
    }
    // Retires `packs` (but those pinned since the plan), rewrites the index files that
    // list them, removes them; counts them in the report.
    const auto remove_packs = [&](std::vector<std::uint32_t> packs) {
        std::vector<std::pair<PackId, std::uint64_t>> removed;
        {
            std::shared_lock lock(m_mutex);
            for (const auto number : packs) {
                removed.emplace_back(m_table.packs()[number].id, m_table.packs()[number].size);
            }
        }
        const std::vector<Digest> files = retire(packs);
        std::erase_if(removed, [&](const auto& pack) {
            return pack_number_of(pack.first).has_value(); // kept by retire(): still live
        });
        rewrite_index_files(files);
        std::set<stdfs::path> folders;
        for (const auto& [id, size] : removed) {
            if (::unlink(pack_path(id).c_str()) == 0) {
                folders.insert(pack_path(id).parent_path());
            }
            report.freed_bytes += size;
        }
        for (const auto& folder : folders) {
            (void)fs::sync_directory(folder);
        }
        report.packs_removed += removed.size();
    };
    // Unused packs go first: removing them needs no room, so on a full disk (where the
    // repack cannot write its new packs) their space still comes back. And once they are
    // gone, the repack copies every needed chunk whose other copy was in one of them.
    if (!plan.remove.empty()) {
        remove_packs(plan.remove);
    }
    const std::vector<IndexedPack> written = repack(plan.repack, referenced, pins, stop);
    if (!plan.repack.empty()) {
        remove_packs(plan.repack);
    }
    std::vector<ChunkId> copied;
    std::uint64_t written_bytes = 0;
    for (const auto& pack : written) {
        written_bytes += pack.size;
        for (const auto& blob : pack.blobs) {
            copied.push_back(blob.id);
        }
    }
    unpin(copied);
    report.freed_bytes -= std::min(report.freed_bytes, written_bytes);
    report.packs_repacked = plan.repack.size();
    return report;
}

} // namespace mv::store
