#include "replica/retention.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "store/index_format.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::replica {

namespace {

using Json = nlohmann::json;
constexpr std::uint64_t k_max_manifest = 32u << 20; // docs/FORMAT.md, "Manifests"
constexpr std::uint64_t k_max_index = 1u << 30;

// A content-addressed file: the vault's copy when it still has it, else the replica's,
// checked against its name. Empty when it is damaged.
std::string fetch_checked(const std::filesystem::path& vault_root, s3::Client& client,
                          const std::string& key, std::uint64_t max_size) {
    auto local = fs::read_file(vault_root / key, max_size);
    std::string bytes = local ? std::move(*local) : client.get(key, std::nullopt, max_size);
    if (store::Digest::sha256_of(store::as_bytes(bytes)).hex() != expected_sha256(key)) {
        return {};
    }
    return bytes;
}

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

ChunkSet referenced_chunks(const std::filesystem::path& vault_root, s3::Client& client,
                           const RemoteListing& remote) {
    ChunkSet chunks;
    for (const auto& [key, size] : remote) {
        if (!key.starts_with("manifests/")) {
            continue;
        }
        const std::string text = fetch_checked(vault_root, client, key, k_max_manifest);
        if (text.empty()) {
            throw ReplicaRefused(
                fmt::format("{} on the replica does not hash to its name: nothing is "
                            "collected on the replica until it is removed there",
                            key),
                ErrorCode::corrupt);
        }
        add_chunks(key, text, chunks);
    }
    return chunks;
}

// The packs an index file lists, or nullopt when it cannot be read.
std::optional<std::vector<store::IndexedPack>>
read_index(const std::filesystem::path& vault_root, s3::Client& client, const std::string& key) {
    const std::string bytes = fetch_checked(vault_root, client, key, k_max_index);
    auto packs = bytes.empty() ? Result<std::vector<store::IndexedPack>>(failure("damaged"))
                               : store::parse_index(store::as_bytes(bytes));
    if (!packs) {
        spdlog::warn("replica: {} cannot be read ({}); the packs it lists are kept", key,
                     packs.error());
        return std::nullopt;
    }
    return std::move(*packs);
}

// Chunks in packs the vault has and the replica holds: the vault's index files.
ChunkSet covered_chunks(const std::filesystem::path& vault_root, s3::Client& client,
                        const std::vector<VaultFile>& local, const RemoteListing& remote) {
    ChunkSet chunks;
    for (const auto& file : local) {
        if (!file.key.starts_with("index/")) {
            continue;
        }
        const auto packs = read_index(vault_root, client, file.key);
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

OrphanContents orphan_contents(const std::filesystem::path& vault_root, s3::Client& client,
                               const Orphans& orphans) {
    OrphanContents contents;
    for (const auto& index : orphans.indexes) {
        const auto packs = read_index(vault_root, client, index);
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
                                std::chrono::milliseconds keep_removed, s3::TransferPool& pool) {
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
    if (orphans.empty() || is_encrypted(vault_root)) {
        // An encrypted vault's manifests and index files are sealed: without the key, which
        // packs they need is unknown, so its packs stay (docs/REPLICAS.md).
        return report;
    }
    const ChunkSet referenced = referenced_chunks(vault_root, pool.client(), remote);
    const ChunkSet covered = covered_chunks(vault_root, pool.client(), local, remote);
    const CollectionPlan plan = plan_collection(
        orphans, orphan_contents(vault_root, pool.client(), orphans), remote, referenced, covered);
    report.bytes += remove_all(pool, plan.packs, remote);
    report.bytes += remove_all(pool, plan.indexes, remote);
    report.packs = plan.packs.size();
    report.indexes = plan.indexes.size();
    state.collected = fingerprint(find_orphans(local, remote), remote);
    return report;
}

} // namespace mv::replica
