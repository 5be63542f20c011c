#pragma once
// What each model's files looked like (size, mtime, inode) when they were last backed up
// or found unchanged, kept in VAULT/state/fingerprints.json. The start-up scan and
// rescans compare against it to find what changed while nobody was watching, without
// reading any file content.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "vault/manifest.hpp"
#include "watcher/series.hpp"

namespace mv::daemon {

struct FileFingerprint {
    std::string path; ///< raw, relative to the watch root
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
    friend bool operator==(const FileFingerprint&, const FileFingerprint&) = default;
};

using ModelFingerprint = std::vector<FileFingerprint>;

/// Stats the given files of a watch (relative paths); files that vanished are left out.
ModelFingerprint take_fingerprint(const config::Watch& watch,
                                  const std::vector<std::string>& files);

/// Where a file of a watch is stored inside its model's archive (under model/): for
/// layout files (`model` is the file's path) the file name alone, so that restoring
/// "w/agents/dqn.pkl" gives DIR/dqn.pkl; for layout directory (`model` is "") the path
/// relative to the watch root.
std::string path_in_model(const std::string& model, const std::string& file);

/// Where a file (relative to the watch root) of a series checkpoint is stored inside its
/// version: relative to the checkpoint folder, or by name for a checkpoint file and the
/// files saved with it — so a restore gives back a ready checkpoint.
std::string path_in_checkpoint(const watcher::CheckpointRef& checkpoint, const std::string& file);

/// The key of a series checkpoint in the FingerprintStore: each checkpoint of a model is
/// remembered on its own.
std::string checkpoint_key(const std::string& model_id, const std::string& member);

/// True when `fingerprint` (of `model`'s files) has the same files with the sizes and
/// mtimes recorded in `manifest` (the fallback when the state file was lost).
bool matches_manifest(const ModelFingerprint& fingerprint, const std::string& model,
                      const vault::Manifest& manifest);

/// The same for the files of a series checkpoint.
bool matches_manifest(const ModelFingerprint& fingerprint, const watcher::CheckpointRef& checkpoint,
                      const vault::Manifest& manifest);

/// Thread-safe store, persisted atomically on every change.
class FingerprintStore {
public:
    /// Loads `file` if it exists; a damaged file is logged and ignored (it is a cache).
    FingerprintStore(std::filesystem::path file, std::filesystem::path tmp_dir);

    std::optional<ModelFingerprint> get(const std::string& model) const;
    void put(const std::string& model, ModelFingerprint fingerprint);

private:
    void save_locked() const;

    std::filesystem::path m_file;
    std::filesystem::path m_tmp_dir;
    mutable std::mutex m_mutex;
    std::map<std::string, ModelFingerprint> m_models;
};

} // namespace mv::daemon
