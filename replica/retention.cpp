#include "replica/retention.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "store/index_format.hpp"
#include "store/sealing.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::replica {

namespace {

using Json = nlohmann::json;
constexpr std::uint64_t k_max_manifest = 32u << 20; // docs/FORMAT.md, "Manifests"
constexpr std::uint64_t k_max_index = 1u << 30;

// The plain bytes of a manifest or index file. An encrypted vault's are sealed
// (docs/FORMAT.md, "Encryption"); one still plain there (written before `vault encrypt`)
// is read as it is: reading it can only keep more. nullopt when it opens neither way.
std::optional<std::string> opened(const store::Sealing& sealing, crypto::Role role,
                                  std::string bytes) {
    if (!sealing.enabled()) {
        return bytes;
    }
    auto plain = sealing.open(role, {}, store::as_bytes(bytes));
    if (plain) {
        return std::string(plain->begin(), plain->end());
    }
    const bool looks_plain = role == crypto::Role::manifest
                                 ? bytes.starts_with('{')
                                 : store::parse_index(store::as_bytes(bytes)).has_value();
    return looks_plain ? std::optional<std::string>(std::move(bytes)) : std::nullopt;
}

// The manifests and index files retention reads: the vault's copy when it still has it,
// else the replica's, checked against its name, then opened with the vault's key.
class StoredFiles {
public:
    StoredFiles(const std::filesystem::path& vault_root, s3::Client& client,
                const store::Sealing& sealing)
        : m_vault_root(vault_root), m_client(client), m_sealing(sealing) {}

    /// A manifest's plain text; throws ReplicaRefused when it is damaged.
    std::string manifest(const std::string& key) const {
        auto text = plain(key, k_max_manifest, crypto::Role::manifest);
        if (!text) {
            throw ReplicaRefused(
                fmt::format("{} on the replica does not hash to its name or cannot be opened "
                            "with the vault's key: nothing is collected on the replica until "
                            "it is removed there",
                            key),
                ErrorCode::corrupt);
        }
        return std::move(*text);
    }

    /// The packs an index file lists, or nullopt when it cannot be read.
    std::optional<std::vector<store::IndexedPack>> index(const std::string& key) const {
        const auto bytes = plain(key, k_max_index, crypto::Role::index);
        auto packs = !bytes ? Result<std::vector<store::IndexedPack>>(failure("damaged"))
                            : store::parse_index(store::as_bytes(*bytes));
        if (!packs) {
            spdlog::warn("replica: {} cannot be read ({}); the packs it lists are kept", key,
                         packs.error());
            return std::nullopt;
        }
        return std::move(*packs);
    }

private:
    std::optional<std::string> plain(const std::string& key, std::uint64_t max_size,
                                     crypto::Role role) const {
        auto local = fs::read_file(m_vault_root / key, max_size);
        std::string bytes = local ? std::move(*local) : m_client.get(key, std::nullopt, max_size);
        if (store::Digest::sha256_of(store::as_bytes(bytes)).hex() != expected_sha256(key)) {
            return std::nullopt;
        }
        return opened(m_sealing, role, std::move(bytes));
    }

    const std::filesystem::path& m_vault_root;
    s3::Client& m_client;
    const store::Sealing& m_sealing;
};

// Every chunk a manifest lists (docs/FORMAT.md, "Manifests": files[].chunks[][0]).
void add_chunks(const std::string& key, const std::string& text, ChunkSet& chunks) {
    const Json manifest = Json::parse(text, nullptr, false);
    bool readable =
        manifest.is_object() && manifest.contains("files") && manifest["files"].is_array();
    for (const auto& file : readable ? manifest["files"] : Json::array()) {
        const Json list = file.is_object() ? file.value("chunks", Json()) : Json();
        readable = readable && list.is_array();
        for (const auto& chunk : readable ? list : Json::array()) {
            const auto id = chunk.is_array() && !chunk.empty() && chunk[0].is_string()
                                ? store::Digest::from_hex(chunk[0].get<std::string>())
                                : std::nullopt;
            readable = readable && id.has_value();
            if (id) {
                chunks.insert(*id);
            }
        }
    }
    if (!readable) {
        throw ReplicaRefused(
            fmt::format("{} on the replica cannot be read as a manifest: nothing is "
                        "collected on the replica until it is removed there",
                        key),
            ErrorCode::corrupt);
    }
}

ChunkSet referenced_chunks(const StoredFiles& files, const RemoteListing& remote) {
    ChunkSet chunks;
    for (const auto& [key, size] : remote) {
        if (key.starts_with("manifests/")) {
            add_chunks(key, files.manifest(key), chunks);
        }
    }
    return chunks;
}

// Chunks in packs the vault has and the replica holds: the vault's index files.
ChunkSet covered_chunks(const StoredFiles& files, const std::vector<VaultFile>& local,
                        const RemoteListing& remote) {
    ChunkSet chunks;
    for (const auto& file : local) {
        if (!file.key.starts_with("index/")) {
            continue;
        }
        const auto packs = files.index(file.key);
        for (const auto& pack : packs ? *packs : std::vector<store::IndexedPack>{}) {
            if (remote.contains(pack_key(pack.id))) {
                for (const auto& blob : pack.blobs) {
                    chunks.insert(blob.id);
                }
            }
        }
    }
    return chunks;
}

OrphanContents orphan_contents(const StoredFiles& files, const Orphans& orphans) {
    OrphanContents contents;
    for (const auto& index : orphans.indexes) {
        const auto packs = files.index(index);
        if (!packs) {
            continue;
        }
        auto& listed = contents.index_packs[index];
        for (const auto& pack : *packs) {
            auto& chunks = contents.pack_chunks[pack_key(pack.id)];
            for (const auto& blob : pack.blobs) {
                chunks.push_back(blob.id);
            }
            listed.push_back(pack_key(pack.id));
        }
    }
    return contents;
}

bool is_encrypted(const std::filesystem::path& vault_root) {
    const auto text = fs::read_file(vault_root / "vault.json", 1u << 20);
    const Json json = text ? Json::parse(*text, nullptr, false) : Json();
    return json.is_object() && json.value("encrypted", false);
}

// Removes `keys` (in parallel) and forgets them in `remote`; returns the bytes freed.
std::uint64_t remove_all(s3::TransferPool& pool, const std::vector<std::string>& keys,
                         RemoteListing& remote) {
    std::vector<s3::TransferPool::Task> tasks;
    for (const auto& key : keys) {
        tasks.emplace_back([&key](s3::Client& client) { client.remove(key); });
    }
    pool.run(tasks);
    std::uint64_t bytes = 0;
    for (const auto& key : keys) {
        bytes += remote[key];
        remote.erase(key);
    }
    return bytes;
}

// Changes when the replica gains or loses an object, or the vault loses a pack or an index
// file the replica holds: then a collection may find more to remove.
std::size_t fingerprint(const Orphans& orphans, const RemoteListing& remote) {
    std::size_t sum = remote.size();
    for (const auto& [key, size] : remote) {
        sum += std::hash<std::string>{}(key);
    }
    for (const auto& key : orphans.packs) {
        sum += 31 * std::hash<std::string>{}(key);
    }
    for (const auto& key : orphans.indexes) {
        sum += 31 * std::hash<std::string>{}(key);
    }
    return sum == 0 ? 1 : sum; // 0: never collected
}

} // namespace

RetentionReport apply_retention(const std::filesystem::path& vault_root,
                                const std::vector<VaultFile>& local, RemoteListing& remote,
                                RetentionState& state, SystemTime now,
                                std::chrono::milliseconds keep_removed, s3::TransferPool& pool,
                                const store::Sealing& sealing) {
    RetentionReport report;
    RemovalPlan removals = plan_removals(local, remote, state.removed_since, now, keep_removed);
    state.removed_since = std::move(removals.removed_since);
    const Orphans orphans = find_orphans(local, remote);
    if (removals.remove.empty() && removals.signatures.empty() &&
        (orphans.empty() || state.collected == fingerprint(orphans, remote))) {
        return report;
    }
    check_same_vault(vault_root, pool.client());
    report.bytes += remove_all(pool, removals.remove, remote);
    report.bytes += remove_all(pool, removals.signatures, remote);
    report.versions = removals.remove.size();
    if (orphans.empty() || (!sealing.enabled() && is_encrypted(vault_root))) {
        // Without the key, which packs an encrypted vault's versions need is unknown.
        return report;
    }
    const StoredFiles files(vault_root, pool.client(), sealing);
    const ChunkSet referenced = referenced_chunks(files, remote);
    const ChunkSet covered = covered_chunks(files, local, remote);
    const CollectionPlan plan =
        plan_collection(orphans, orphan_contents(files, orphans), remote, referenced, covered);
    report.bytes += remove_all(pool, plan.packs, remote);
    report.bytes += remove_all(pool, plan.indexes, remote);
    report.packs = plan.packs.size();
    report.indexes = plan.indexes.size();
    state.collected = fingerprint(find_orphans(local, remote), remote);
    return report;
}

} // namespace mv::replica
