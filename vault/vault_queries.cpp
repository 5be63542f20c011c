// The Vault's questions about what is stored: models, versions, pointers, damaged
// manifests, and where each file lies (docs/FORMAT.md, "Layout").
#include <algorithm>
#include <sys/statvfs.h>

#include <fmt/format.h>

#include "vault/manifest_file.hpp"
#include "vault/vault.hpp"

namespace mv::vault {

std::vector<DamagedVersion> Vault::damaged() const {
    std::shared_lock lock(m_mutex);
    return m_catalog.damaged();
}

std::vector<DamagedVersion> Vault::damaged(const std::string& model) const {
    std::vector<DamagedVersion> found;
    std::shared_lock lock(m_mutex);
    for (const DamagedVersion* damaged : m_catalog.damaged_of(model)) {
        found.push_back(*damaged);
    }
    return found;
}

std::vector<std::string> Vault::models() const {
    std::shared_lock lock(m_mutex);
    return m_catalog.models();
}

std::vector<Manifest> Vault::versions(const std::string& model) const {
    std::shared_lock lock(m_mutex);
    return m_catalog.versions(model);
}

std::optional<Manifest> Vault::find(const std::string& model, const Version& version) const {
    std::shared_lock lock(m_mutex);
    const Manifest* found = m_catalog.find(model, version);
    return found ? std::optional<Manifest>(*found) : std::nullopt;
}

std::optional<Manifest> Vault::latest(const std::string& model) const {
    std::shared_lock lock(m_mutex);
    const Manifest* found = m_catalog.latest(model);
    return found ? std::optional<Manifest>(*found) : std::nullopt;
}

VaultStats Vault::stats() const {
    VaultStats stats;
    {
        std::shared_lock lock(m_mutex);
        stats.models = m_catalog.model_count();
        stats.versions = m_catalog.version_count();
        stats.damaged_manifests = m_catalog.damaged().size();
    }
    const store::StoreStats store = m_store->stats();
    stats.stored_bytes = store.stored_bytes;
    stats.chunks = store.chunks;
    stats.packs = store.packs;
    struct statvfs fs_stats {};
    if (::statvfs(m_options.root.c_str(), &fs_stats) == 0) {
        stats.free_bytes = static_cast<std::uint64_t>(fs_stats.f_bavail) * fs_stats.f_frsize;
        stats.total_bytes = static_cast<std::uint64_t>(fs_stats.f_blocks) * fs_stats.f_frsize;
    }
    return stats;
}

std::optional<Version> Vault::pointer(const std::string& model, Pointer pointer) const {
    std::shared_lock lock(m_mutex);
    return m_catalog.pointer(model, pointer);
}

std::vector<HistoryRecord> Vault::history(const std::string& model) const {
    std::shared_lock lock(m_mutex);
    return m_catalog.history(model);
}

std::vector<std::string> Vault::tags_of(const Manifest& manifest) const {
    std::vector<std::string> tags = manifest.tags;
    std::shared_lock lock(m_mutex);
    for (const Pointer pointer : {Pointer::best, Pointer::current}) {
        if (m_catalog.pointer(manifest.model, pointer) == manifest.version &&
            std::find(tags.begin(), tags.end(), to_string(pointer)) == tags.end()) {
            tags.emplace_back(to_string(pointer));
        }
    }
    return tags;
}

std::filesystem::path Vault::history_path(const std::string& model) const {
    auto id = ModelId::parse(model);
    return m_options.root /
           value_or_throw(std::move(id), "", ErrorCode::invalid_argument).vault_dir() /
           k_history_file;
}

std::filesystem::path Vault::manifest_path(const Manifest& manifest) const {
    return manifest_file(m_options.root, manifest.object);
}

std::optional<VerifyResult> Vault::verify_current(const Manifest& manifest, VerifyDepth depth,
                                                  const std::stop_token& stop,
                                                  const ProgressFn& progress) const {
    constexpr int k_revisions_followed = 3;
    Manifest checked = manifest;
    for (int attempt = 0;; ++attempt) {
        auto result = verify(checked, depth, stop, progress);
        if (result.ok()) {
            return result;
        }
        const auto now = [&] {
            std::lock_guard settled(m_revision_mutex);
            return find(manifest.model, manifest.version);
        }();
        if (!now) {
            return std::nullopt;
        }
        if (now->object == checked.object || attempt == k_revisions_followed) {
            return result;
        }
        checked = *now;
    }
}

} // namespace mv::vault
