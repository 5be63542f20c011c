#pragma once
// The vault (SPEC §4): a folder of versioned, verified model archives. Opening it cleans
// up after crashes and loads the catalog; write_version() turns model files into a new
// committed version in one pass; the rest answers questions about what is stored.
// Thread-safe: any number of readers, and writers for different models at once (the
// caller never writes the same model from two threads).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "util/fd.hpp"
#include "util/time.hpp"
#include "vault/archive_writer.hpp"
#include "vault/catalog.hpp"
#include "vault/history.hpp"
#include "vault/manifest.hpp"
#include "vault/model_id.hpp"
#include "vault/verify.hpp"

namespace mv::vault {

struct VaultOptions {
    std::filesystem::path root;
    config::Compression compression;
    bool verify_after_write = true;
    std::string host; ///< recorded in manifests; empty = this machine's host name
};

/// Everything needed to make a version, except the bytes (those are read from `files`).
struct NewVersion {
    ModelId model;
    std::vector<SourceFile> files; ///< model files, then sidecars
    Trigger trigger = Trigger::change;
    std::optional<Bump> bump; ///< nullopt: patch (the first version is always 1.0.0)
    std::string reason;
    nlohmann::json metrics = nlohmann::json::object();
    nlohmann::json compat = nlohmann::json::object();
    std::vector<std::string> tags;
    std::string note;
    bool incomplete = false;
    std::optional<CheckpointInfo> checkpoint;  ///< the series checkpoint it is made from
    bool metrics_missing = false;              ///< a metric its triggers need never came
    std::vector<MetricsFileRef> metrics_files; ///< the metrics contents it takes
    /// Imports only: the creation time and version number to record (instead of now and
    /// the next number). The version must not exist yet.
    std::optional<SystemTime> created;
    std::optional<Version> version;
    /// Move the model's `best` pointer to the new version once it is committed.
    bool make_best = false;
    std::string best_reason; ///< recorded in the history with the move
};

struct WriteResult {
    bool committed = false; ///< false: content identical to `manifest`, nothing written
    Manifest manifest;      ///< the new version, or the existing identical one
    std::uint64_t bytes_read = 0;
};

struct VaultStats {
    std::size_t models = 0;
    std::size_t versions = 0;
    std::uint64_t stored_bytes = 0;
    std::uint64_t free_bytes = 0;
    std::uint64_t total_bytes = 0;
};

class Vault {
public:
    /// Opens (creating if needed) the vault at options.root: takes its lock, empties tmp/,
    /// removes archives that have no sidecar (a crash before the commit), loads the
    /// catalog, records damaged sidecars, and finishes removals that the history announced
    /// (a crash between the `removed` record and the sidecar's removal). Throws Fatal when
    /// the folder is not a vault or is in use by another daemon.
    static std::unique_ptr<Vault> open(VaultOptions options, const Clock& clock);
    ~Vault();
    Vault(const Vault&) = delete;
    Vault& operator=(const Vault&) = delete;

    /// Reads, hashes and compresses `request.files` into a new version and commits it
    /// atomically, or returns the existing version with identical model files. Throws
    /// FileChangedError, Error(cancelled) on `stop`, Error for I/O or verification failure;
    /// tmp/ is left clean in every case.
    WriteResult write_version(const NewVersion& request, const std::stop_token& stop,
                              const ProgressFn& progress = {});

    /// Removes a version: records the removal (and `reason`) in the model's history, so
    /// that its number is never given again, then removes its sidecar (from then on the
    /// version does not exist), then its archive, fsyncing the folder after each. Returns
    /// the bytes freed. Throws Error(not_found) for an unknown version, Error(io) when the
    /// history or the sidecar cannot be written.
    std::uint64_t remove_version(const std::string& model, const Version& version,
                                 std::string reason);

    /// Replaces a version's tags (the sidecar is rewritten atomically; the archive's own
    /// manifest.json keeps the tags it was made with). Throws Error(not_found).
    Manifest set_tags(const std::string& model, const Version& version,
                      std::vector<std::string> tags);

    /// Records metrics that arrived after a version was written (docs/FORMAT.md,
    /// `metrics_missing`): the sidecar gets `metrics` merged in, `metrics_files` and
    /// metrics_missing false (the archive's manifest.json keeps what it was made with).
    /// Throws Error(not_found).
    Manifest attach_metrics(const std::string& model, const Version& version,
                            const nlohmann::json& metrics, std::vector<MetricsFileRef> files);

    /// Re-reads a stored version and checks every hash against its sidecar, and that the
    /// sidecar on disk can still be read.
    VerifyResult verify(const Manifest& manifest, const std::stop_token& stop,
                        const ProgressFn& progress = {}) const;

    /// New compression settings for later versions (config reload).
    void set_compression(const config::Compression& compression, bool verify_after_write);

    std::vector<std::string> models() const;
    /// A model's versions, oldest first.
    std::vector<Manifest> versions(const std::string& model) const;
    std::optional<Manifest> find(const std::string& model, const Version& version) const;
    std::optional<Manifest> latest(const std::string& model) const;
    VaultStats stats() const;

    /// Where `pointer` (best, current) of `model` points now.
    std::optional<Version> pointer(const std::string& model, Pointer pointer) const;
    /// The model's audit history of pointer moves, oldest first.
    std::vector<HistoryRecord> history(const std::string& model) const;
    /// Moves a pointer (nullopt clears it) and appends the move to the model's history
    /// durably. Throws Error(not_found) for an unknown version, Error(io) when the history
    /// cannot be written (the pointer then does not move).
    void move_pointer(const std::string& model, Pointer pointer, std::optional<Version> to,
                      std::string reason, long long uid);
    /// Sidecars found damaged when the vault was opened (their versions are hidden).
    std::vector<DamagedVersion> damaged() const;
    /// The damaged sidecars of `model` (by id or by its folder).
    std::vector<DamagedVersion> damaged(const std::string& model) const;
    /// The manifest's own tags plus "best" and "current" when the pointers name it.
    std::vector<std::string> tags_of(const Manifest& manifest) const;

    const std::filesystem::path& root() const { return m_options.root; }
    std::filesystem::path archive_path(const Manifest& manifest) const;
    std::filesystem::path sidecar_path(const Manifest& manifest) const;
    std::filesystem::path history_path(const std::string& model) const;
    std::filesystem::path tmp_dir() const { return m_options.root / "tmp"; }
    std::filesystem::path state_dir() const { return m_options.root / "state"; }

private:
    Vault(VaultOptions options, const Clock& clock, UniqueFd lock);
    // Opening (vault_recover.cpp).
    void recover_and_load();
    void load_sidecar(const std::filesystem::path& sidecar);
    void record_damaged(const std::filesystem::path& sidecar, const std::string& problem);
    void load_histories(const std::vector<std::filesystem::path>& histories);
    void finish_removals();

    VaultOptions m_options;
    const Clock& m_clock;
    UniqueFd m_lock;
    mutable std::shared_mutex m_mutex; ///< guards m_catalog and m_options.compression
    std::mutex m_history_mutex;        ///< serialises pointer moves
    Catalog m_catalog;
};

} // namespace mv::vault
