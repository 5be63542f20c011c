#pragma once
// The in-memory index of every version in the vault, rebuilt from the manifests
// at start-up. Not thread-safe by itself: the Vault guards it.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vault/history.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// A manifest that could not be read, or does not hash to its name (docs/FORMAT.md,
/// "Manifests"): its version is hidden until the file is repaired, verify and status
/// report it, nothing is collected meanwhile, and — when its content still tells them —
/// its model's numbers stay taken.
struct DamagedVersion {
    std::filesystem::path file;     ///< absolute path
    std::filesystem::path dir;      ///< the model's folder, relative to the vault root, if known
    std::string model;              ///< the model id when the content tells, else ""
    std::optional<Version> version; ///< when the content tells
    std::string problem;            ///< what is wrong with it
};

class Catalog {
public:
    /// Adds a version; a version already present for that model is replaced.
    void add(Manifest manifest);
    /// Removes a version; returns false when it was not there.
    bool remove(const std::string& model, const Version& version);

    /// Model ids, sorted.
    std::vector<std::string> models() const;
    /// A model's versions in sequence order (oldest first); empty for an unknown model.
    const std::vector<Manifest>& versions(const std::string& model) const;
    const Manifest* find(const std::string& model, const Version& version) const;
    /// The version with the highest sequence number.
    const Manifest* latest(const std::string& model) const;
    /// The highest version number the model has had, including versions since removed
    /// and versions whose manifest is damaged (so no number is ever given twice); not
    /// necessarily the latest.
    std::optional<Version> highest_version(const std::string& model) const;
    /// The highest sequence number the model has had, including removed versions. Each
    /// damaged manifest of the model adds one: its sequence may be unknown, and this bound
    /// is never below it.
    std::uint64_t highest_sequence(const std::string& model) const;
    /// Why `version` of `model` cannot be given to a new version ("already has a version
    /// 1.0.1", "had a version 1.0.1, since removed" ...), or nullopt when it is free.
    std::optional<std::string> number_taken(const std::string& model, const Version& version) const;
    /// A version whose model files have exactly these paths and SHA-256s, if any. For a
    /// checkpoint file of a series (`checkpoint` set, not a folder) the file's name does
    /// not count: last.ckpt holding the bytes of epoch=3-step=1200.ckpt is the same.
    const Manifest* find_identical(const std::string& model,
                                   const std::vector<FileEntry>& model_files,
                                   const std::optional<CheckpointInfo>& checkpoint) const;

    /// Appends a record to a model's audit history (in memory).
    void add_history(const std::string& model, HistoryRecord record);
    /// A model's audit history, oldest first.
    const std::vector<HistoryRecord>& history(const std::string& model) const;
    /// Where `pointer` of `model` points now, if anywhere.
    std::optional<Version> pointer(const std::string& model, Pointer pointer) const;

    /// Records a damaged manifest.
    void add_damaged(DamagedVersion damaged) { m_damaged.push_back(std::move(damaged)); }
    /// Every damaged manifest found when the vault was opened.
    const std::vector<DamagedVersion>& damaged() const { return m_damaged; }
    /// The damaged manifests of `model` (by id, or by its folder).
    std::vector<const DamagedVersion*> damaged_of(const std::string& model) const;

    std::size_t model_count() const { return m_models.size(); }
    std::size_t version_count() const;
    /// Sum of the archive sizes.
    std::uint64_t stored_bytes() const;

private:
    std::map<std::string, std::vector<Manifest>> m_models;
    std::map<std::string, std::vector<HistoryRecord>> m_history;
    std::vector<DamagedVersion> m_damaged;
};

/// A stable digest of a set of model files (paths and SHA-256s, order-independent); the
/// path of a series' checkpoint file counts as "" (see find_identical()).
std::string content_key(const std::vector<FileEntry>& files,
                        const std::optional<CheckpointInfo>& checkpoint = std::nullopt);

} // namespace mv::vault
