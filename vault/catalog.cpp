#include "vault/catalog.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "vault/model_id.hpp"
#include "vault/sha256.hpp"

namespace mv::vault {

std::string content_key(const std::vector<FileEntry>& files,
                        const std::optional<CheckpointInfo>& checkpoint) {
    std::vector<std::string> lines;
    const bool nameless = checkpoint && !checkpoint->folder;
    for (const auto& file : files) {
        if (file.role == FileRole::model) {
            const bool own_name = nameless && file.path == checkpoint->name;
            lines.push_back((own_name ? std::string() : file.path) + '\0' + file.sha256);
        }
    }
    std::sort(lines.begin(), lines.end());
    Sha256 sha;
    for (const auto& line : lines) {
        sha.update(line);
        sha.update("\n", 1);
    }
    return sha.hex_digest();
}

void Catalog::add(Manifest manifest) {
    auto& versions = m_models[manifest.model];
    std::erase_if(versions, [&](const Manifest& m) { return m.version == manifest.version; });
    const auto position = std::upper_bound(
        versions.begin(), versions.end(), manifest,
        [](const Manifest& a, const Manifest& b) { return a.sequence < b.sequence; });
    versions.insert(position, std::move(manifest));
}

bool Catalog::remove(const std::string& model, const Version& version) {
    const auto it = m_models.find(model);
    if (it == m_models.end()) {
        return false;
    }
    const auto removed =
        std::erase_if(it->second, [&](const Manifest& m) { return m.version == version; });
    if (it->second.empty()) {
        m_models.erase(it);
    }
    return removed > 0;
}

std::vector<std::string> Catalog::models() const {
    std::vector<std::string> names;
    names.reserve(m_models.size());
    for (const auto& [name, versions] : m_models) {
        names.push_back(name);
    }
    return names;
}

const std::vector<Manifest>& Catalog::versions(const std::string& model) const {
    static const std::vector<Manifest> k_none;
    const auto it = m_models.find(model);
    return it == m_models.end() ? k_none : it->second;
}

const Manifest* Catalog::find(const std::string& model, const Version& version) const {
    for (const auto& manifest : versions(model)) {
        if (manifest.version == version) {
            return &manifest;
        }
    }
    return nullptr;
}

const Manifest* Catalog::latest(const std::string& model) const {
    const auto& all = versions(model);
    return all.empty() ? nullptr : &all.back();
}

std::optional<Version> Catalog::highest_version(const std::string& model) const {
    std::optional<Version> highest;
    for (const auto& manifest : versions(model)) {
        if (!highest || manifest.version > *highest) {
            highest = manifest.version;
        }
    }
    for (const auto& record : history(model)) {
        if (record.pointer == Pointer::removed && record.from &&
            (!highest || *record.from > *highest)) {
            highest = record.from;
        }
    }
    for (const DamagedVersion* damaged : damaged_of(model)) {
        if (damaged->version && (!highest || *damaged->version > *highest)) {
            highest = damaged->version;
        }
    }
    return highest;
}

std::optional<std::string> Catalog::number_taken(const std::string& model,
                                                 const Version& version) const {
    if (find(model, version) != nullptr) {
        return fmt::format("already has a version {}", version.to_string());
    }
    for (const auto& record : history(model)) {
        if (record.pointer == Pointer::removed && record.from == version) {
            return fmt::format("had a version {}, since removed", version.to_string());
        }
    }
    for (const DamagedVersion* damaged : damaged_of(model)) {
        if (damaged->version == version) {
            return fmt::format("has a version {} whose manifest is damaged", version.to_string());
        }
    }
    return std::nullopt;
}

std::vector<const DamagedVersion*> Catalog::damaged_of(const std::string& model) const {
    std::vector<const DamagedVersion*> found;
    if (m_damaged.empty()) {
        return found;
    }
    const auto id = ModelId::parse(model);
    for (const auto& damaged : m_damaged) {
        if (damaged.model == model || (id && damaged.dir == id->vault_dir())) {
            found.push_back(&damaged);
        }
    }
    return found;
}

std::uint64_t Catalog::highest_sequence(const std::string& model) const {
    std::uint64_t highest = 0;
    for (const auto& manifest : versions(model)) {
        highest = std::max(highest, manifest.sequence);
    }
    for (const auto& record : history(model)) {
        if (record.pointer == Pointer::removed) {
            highest = std::max(highest, record.sequence);
        }
    }
    return highest + damaged_of(model).size();
}

const Manifest* Catalog::find_identical(const std::string& model,
                                        const std::vector<FileEntry>& model_files,
                                        const std::optional<CheckpointInfo>& checkpoint) const {
    const std::string key = content_key(model_files, checkpoint);
    const auto& all = versions(model);
    // Newest first: "unchanged (same as X)" names the most recent identical version.
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (content_key(it->files, it->checkpoint) == key) {
            return &*it;
        }
    }
    return nullptr;
}

void Catalog::add_history(const std::string& model, HistoryRecord record) {
    m_history[model].push_back(std::move(record));
}

const std::vector<HistoryRecord>& Catalog::history(const std::string& model) const {
    static const std::vector<HistoryRecord> k_none;
    const auto it = m_history.find(model);
    return it == m_history.end() ? k_none : it->second;
}

std::optional<Version> Catalog::pointer(const std::string& model, Pointer pointer) const {
    return pointer_value(history(model), pointer);
}

std::size_t Catalog::version_count() const {
    std::size_t count = 0;
    for (const auto& [name, versions] : m_models) {
        count += versions.size();
    }
    return count;
}

std::uint64_t Catalog::stored_bytes() const {
    std::uint64_t total = 0;
    for (const auto& [name, versions] : m_models) {
        for (const auto& manifest : versions) {
            total += manifest.archive.size + manifest.storage.new_bytes;
        }
    }
    return total;
}

} // namespace mv::vault
