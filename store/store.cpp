#include "store/store.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/write_session.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::store {

namespace stdfs = std::filesystem;

Store::Store(StoreOptions options, std::unique_ptr<ChunkNamer> namer,
             std::shared_ptr<const crypto::MasterKey> key)
    : m_options(std::move(options)), m_namer(std::move(namer)), m_sealing(key) {
    if (!m_namer && key) {
        m_namer = std::make_unique<KeyedNamer>(*key);
    } else if (!m_namer) {
        m_namer = std::make_unique<Sha256Namer>();
    }
}

Store::~Store() = default;

std::unique_ptr<Store> Store::open(StoreOptions options, std::unique_ptr<ChunkNamer> namer,
                                   std::shared_ptr<const crypto::MasterKey> key) {
    for (const char* sub : {"packs", "index"}) {
        value_or_throw(fs::create_directories_durable(options.root / sub),
                       "cannot prepare the vault's store: ");
    }
    std::unique_ptr<Store> store(new Store(std::move(options), std::move(namer), std::move(key)));
    store->load_index();
    store->index_unlisted_packs();
    return store;
}

stdfs::path Store::pack_path(const PackId& id) const {
    const std::string hex = id.hex();
    return m_options.root / "packs" / hex.substr(0, 2) / hex;
}

std::unique_ptr<WriteSession> Store::begin_write() {
    return std::make_unique<WriteSession>(*this);
}

std::optional<ChunkLocation> Store::locate(const ChunkId& id) const {
    std::shared_lock lock(m_mutex);
    const auto entry = m_table.find(id);
    if (!entry) {
        return std::nullopt;
    }
    const PackRecord& pack = m_table.packs()[entry->pack];
    return ChunkLocation{*entry, pack.id, pack.size};
}

std::vector<ChunkLocation> Store::locate_all(const ChunkId& id) const {
    std::shared_lock lock(m_mutex);
    std::vector<ChunkLocation> found;
    for (const auto& entry : m_table.find_all(id)) {
        const PackRecord& pack = m_table.packs()[entry.pack];
        found.push_back({entry, pack.id, pack.size});
    }
    return found;
}

StoreStats Store::stats() const {
    std::shared_lock lock(m_mutex);
    StoreStats stats;
    for (const auto& pack : m_table.packs()) {
        stats.packs += pack.live ? 1 : 0;
    }
    stats.chunks = m_table.entry_count();
    stats.stored_bytes = m_table.stored_bytes();
    return stats;
}

void Store::set_codec(const CodecSettings& codec, bool verify_writes) {
    std::unique_lock lock(m_mutex);
    m_options.codec = codec;
    m_options.verify_writes = verify_writes;
}

std::pair<CodecSettings, bool> Store::codec() const {
    std::shared_lock lock(m_mutex);
    return {m_options.codec, m_options.verify_writes};
}

std::optional<std::uint32_t> Store::pack_number_of(const PackId& id) const {
    std::shared_lock lock(m_mutex);
    return m_table.pack_number(id);
}

std::optional<IndexEntry> Store::find_and_pin(const ChunkId& id) {
    std::unique_lock lock(m_mutex);
    auto entry = m_table.find(id);
    if (entry) {
        ++m_pins[id];
    }
    return entry;
}

void Store::unpin(const std::vector<ChunkId>& ids) {
    std::unique_lock lock(m_mutex);
    for (const auto& id : ids) {
        const auto it = m_pins.find(id);
        if (it != m_pins.end() && --it->second == 0) {
            m_pins.erase(it);
        }
    }
}

std::vector<ChunkId> Store::pinned() const {
    std::shared_lock lock(m_mutex);
    std::vector<ChunkId> ids;
    ids.reserve(m_pins.size());
    for (const auto& [id, count] : m_pins) {
        ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

CollectionPlan Store::plan(std::span<const ChunkId> referenced, std::vector<ChunkId>& missing,
                           const CollectionPolicy& policy) const {
    const auto pins = pinned();
    std::shared_lock lock(m_mutex);
    return plan_collection(pack_usage(m_table, referenced, pins, missing), policy);
}

Digest Store::write_index_file(const std::vector<IndexedPack>& packs) {
    const std::vector<std::uint8_t> bytes =
        m_sealing.seal(crypto::Role::index, {}, encode_index(packs));
    const Digest id = Digest::sha256_of(bytes);
    const stdfs::path path = m_options.root / "index" / id.hex();
    value_or_throw(
        fs::write_file_atomic(path, {reinterpret_cast<const char*>(bytes.data()), bytes.size()},
                              m_options.tmp, 0640),
        "cannot write an index file: ");
    return id;
}

// The caller owns one pin on every blob of `packs` afterwards.
Digest Store::publish(const std::vector<IndexedPack>& packs,
                      const std::vector<stdfs::path>& temporary) {
    // Packs first, each renamed into its folder, the folders fsynced; then the index
    // file that lists them. A crash in between leaves packs no index lists, which the
    // next open indexes from their own headers.
    std::set<stdfs::path> folders;
    for (std::size_t i = 0; i < packs.size(); ++i) {
        const stdfs::path target = pack_path(packs[i].id);
        value_or_throw(fs::create_directories_durable(target.parent_path()),
                       "cannot store a pack: ");
        std::error_code error;
        stdfs::rename(temporary[i], target, error);
        if (error) {
            throw Error(fmt::format("cannot move {} to {}: {}", temporary[i].string(),
                                    target.string(), error.message()),
                        ErrorCode::io);
        }
        folders.insert(target.parent_path());
    }
    for (const auto& folder : folders) {
        value_or_throw(fs::sync_directory(folder), "cannot store a pack: ");
    }
    const Digest file = write_index_file(packs);
    std::unique_lock lock(m_mutex);
    m_table.add(file, packs);
    for (const auto& pack : packs) {
        for (const auto& blob : pack.blobs) {
            ++m_pins[blob.id];
        }
    }
    return file;
}

} // namespace mv::store
