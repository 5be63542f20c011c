#pragma once
// The in-memory index of every version in the vault, rebuilt from the sidecar manifests
// at start-up. Not thread-safe by itself: the Vault guards it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vault/history.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

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
    /// (so no number is ever given twice); not necessarily the latest.
    std::optional<Version> highest_version(const std::string& model) const;
    /// The highest sequence number the model has had, including removed versions.
    std::uint64_t highest_sequence(const std::string& model) const;
    /// A version whose model files have exactly these paths and SHA-256s, if any.
    const Manifest* find_identical(const std::string& model,
                                   const std::vector<FileEntry>& model_files) const;

    /// Appends a record to a model's audit history (in memory).
    void add_history(const std::string& model, HistoryRecord record);
    /// A model's audit history, oldest first.
    const std::vector<HistoryRecord>& history(const std::string& model) const;
    /// Where `pointer` of `model` points now, if anywhere.
    std::optional<Version> pointer(const std::string& model, Pointer pointer) const;

    std::size_t model_count() const { return m_models.size(); }
    std::size_t version_count() const;
    /// Sum of the archive sizes.
    std::uint64_t stored_bytes() const;

private:
    std::map<std::string, std::vector<Manifest>> m_models;
    std::map<std::string, std::vector<HistoryRecord>> m_history;
};

/// A stable digest of a set of model files (paths and SHA-256s, order-independent).
std::string content_key(const std::vector<FileEntry>& files);

} // namespace mv::vault
