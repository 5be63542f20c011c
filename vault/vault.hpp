#pragma once
// The vault (docs/FORMAT.md): versions of models, each a manifest that names its files'
// chunks in the store beneath. Opening it cleans up after crashes, upgrades a format-1
// vault and loads the catalog; write_version() turns model files into a new committed
// version in one pass; the rest answers questions about what is stored, reads it back,
// and collects what retention removed.
// Thread-safe: any number of readers, and writers for different models at once (the
// caller never writes the same model from two threads).

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "crypto/signing.hpp"
#include "store/store.hpp"
#include "util/fd.hpp"
#include "util/time.hpp"
#include "vault/catalog.hpp"
#include "vault/history.hpp"
#include "vault/manifest.hpp"
#include "vault/model_id.hpp"
#include "vault/source_file.hpp"
#include "vault/verify.hpp"

namespace mv::vault {

struct VaultOptions {
    std::filesystem::path root;
    config::Compression compression;
    bool verify_after_write = true;
    std::string host; ///< recorded in manifests; empty = this machine's host name
};

/// Told what opening a vault is busy with when it takes long (the upgrade of a format-1
/// vault, one line per version): the daemon passes it on to systemd.
using OpenProgress = std::function<void(const std::string& status)>;

/// Everything needed to make a version, except the bytes (those are read from `files`).
struct NewVersion {
    ModelId model;
    std::vector<SourceFile> files; ///< model files, then sidecars
    Trigger trigger = Trigger::change;
    std::optional<Bump> bump; ///< nullopt: patch (the first version is always 1.0.0)
    std::string reason;
    nlohmann::json metrics = nlohmann::json::object();
    nlohmann::json compat = nlohmann::json::object();
    nlohmann::json params = nlohmann::json::object(); ///< the run's parameters (params_file)
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

/// Told about every change of the stored versions once it is durable (the shared catalog,
/// docs/catalog.md). Called on the thread that made the change, which waits for it: it
/// must be quick and must not call back into the vault. Unset members are not called.
struct VaultObserver {
    /// A new version, or a new revision of one (tags, notes, late metrics); no chunk lists.
    std::function<void(const Manifest&)> committed;
    /// A version removed (retention, `delete`) for `reason`.
    std::function<void(const Manifest&, const std::string& reason)> removed;
    /// `best` or `current` of `model` moved or was cleared: `record` is in its history.
    std::function<void(const std::string& model, const HistoryRecord& record)> moved;
};

struct WriteResult {
    bool committed = false; ///< false: content identical to `manifest`, nothing written
    Manifest manifest;      ///< the new version, or the existing identical one
    std::uint64_t bytes_read = 0;
};

struct VaultStats {
    std::size_t models = 0;
    std::size_t versions = 0;
    std::uint64_t stored_bytes = 0; ///< bytes of all packs
    std::uint64_t free_bytes = 0;
    std::uint64_t total_bytes = 0;
    std::size_t chunks = 0;
    std::size_t packs = 0;
    std::size_t damaged_manifests = 0;
};

/// What a collection did (or, for a dry run, would do).
struct CollectionResult {
    std::uint64_t freed_bytes = 0;
    std::size_t packs_removed = 0;
    std::size_t packs_repacked = 0;
    std::string skipped; ///< why nothing was collected, when it was not
};

class Vault {
public:
    /// Opens (creating if needed) the vault at options.root: takes its lock, empties tmp/,
    /// opens the store (which indexes packs a crash left unindexed), loads the catalog and
    /// records damaged manifests, upgrades a format-1 vault (docs/FORMAT.md, "Migration
    /// from format 1"), and finishes removals the history announced (a crash between the
    /// `removed` record and the manifest's removal). Throws Fatal when the folder is not a
    /// vault or is in use by another daemon. `key_file` (encryption.key_file) opens an
    /// encrypted vault, or encrypts a new one; empty: the vault must be a plain one
    /// (docs/FORMAT.md, "Encryption"; Fatal naming the file and what to do otherwise).
    static std::unique_ptr<Vault> open(VaultOptions options, const Clock& clock,
                                       const OpenProgress& progress = {},
                                       const std::filesystem::path& key_file = {});
    ~Vault();
    Vault(const Vault&) = delete;
    Vault& operator=(const Vault&) = delete;

    /// Reads and stores `request.files` into a new version and commits it atomically, or
    /// returns the existing version with identical model files (found before anything is
    /// compressed: identical files have only known chunks). Throws FileChangedError,
    /// Error(cancelled) on `stop`, Error for I/O or verification failure; tmp/ is left
    /// clean in every case.
    WriteResult write_version(const NewVersion& request, const std::stop_token& stop,
                              const ProgressFn& progress = {});

    /// Removes a version: records the removal (`reason`, and `uid` who asked; -1 for the
    /// daemon) in the model's history, so
    /// that its number is never given again, then removes its manifest (from then on the
    /// version does not exist). Its chunks go at the next collect(). Throws
    /// Error(not_found) for an unknown version, Error(io) when the history or the
    /// manifest cannot be written.
    void remove_version(const std::string& model, const Version& version, std::string reason,
                        long long uid = -1);

    /// Registers `observer`: its callbacks run on the thread that made a change, once the
    /// change is durable, one observer after the other. They run under the vault's
    /// revision or history lock and the observers' lock, so they must be quick and must
    /// not call the vault (no write, no add_observer/remove_observer): hand the event on
    /// (a queue, an io_context post). The handle removes it again; once remove_observer()
    /// returns, the observer is not running and is never called again.
    std::uint64_t add_observer(VaultObserver observer);
    void remove_observer(std::uint64_t handle);

    /// Replaces a version's tags: a new manifest (revision + 1) replaces the old one.
    /// Throws Error(not_found).
    Manifest set_tags(const std::string& model, const Version& version,
                      std::vector<std::string> tags);

    /// Adds `note` to a version: a new revision of its manifest, committed like a retag
    /// (set_tags()). Throws Error(not_found).
    Manifest add_note(const std::string& model, const Version& version, Note note);

    /// Records metrics that arrived after a version was written (docs/FORMAT.md,
    /// `metrics_missing`): a new revision of its manifest gets `metrics` merged in,
    /// `metrics_files`, metrics_missing false and `reason` (which says why they were
    /// missing), committed like a retag (set_tags()). Throws Error(not_found).
    Manifest attach_metrics(const std::string& model, const Version& version,
                            const nlohmann::json& metrics, std::vector<MetricsFileRef> files,
                            std::string reason);

    /// Checks a stored version: `structure` that its manifest is intact and every chunk it
    /// references is stored; `read_data` also reads every chunk back and re-hashes every
    /// file. Never throws for damage (it is in the result); Error(cancelled) on `stop`.
    VerifyResult verify(const Manifest& manifest, VerifyDepth depth, const std::stop_token& stop,
                        const ProgressFn& progress = {}) const;
    /// verify() for a version that may change while it is checked: retention may remove
    /// it, a retag or late metrics replace its manifest. A version gone by the end is not
    /// damaged (nullopt); one revised meanwhile is checked again as it is now. After a
    /// failed check it waits for a removal or revision under way (their manifest file goes
    /// before the catalog learns it) and asks the catalog again.
    std::optional<VerifyResult> verify_current(const Manifest& manifest, VerifyDepth depth,
                                               const std::stop_token& stop,
                                               const ProgressFn& progress = {}) const;
    /// Manifests found damaged when the vault was opened (their versions are hidden, their
    /// numbers stay taken when the file still tells them, and nothing is collected).
    std::vector<DamagedVersion> damaged() const;
    /// The damaged manifests of `model`.
    std::vector<DamagedVersion> damaged(const std::string& model) const;

    /// The full manifest (with its chunk lists) of a version the catalog returned. Throws
    /// Error(corrupt) when its file is gone or damaged.
    Manifest load(const Manifest& manifest) const;
    /// The signature of a version (signatures/<manifest>.json, docs/FORMAT.md
    /// "Signatures") as its file holds it; empty for a plain vault or a missing file.
    std::string signature_of(const Manifest& manifest) const;

    /// Removes chunks no version references (and repacks packs that are mostly garbage).
    /// Runs beside backups. Skipped (and says why) while a manifest is damaged.
    CollectionResult collect(const std::stop_token& stop);
    /// Whether versions were removed since the last collection that finished: state/
    /// collection-due exists from before the first removal until a collection completes,
    /// so that one a crash or an error cut short is done again (docs/FORMAT.md "Collection").
    bool collection_due() const;
    /// What collect() would free if `removed` versions were gone too (a dry run).
    std::uint64_t freed_if_removed(const std::vector<std::pair<std::string, Version>>& removed);

    /// New compression settings for later versions (config reload).
    void set_compression(const config::Compression& compression, bool verify_after_write);

    std::vector<std::string> models() const;
    /// A model's versions, oldest first (without chunk lists).
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
    /// The manifest's own tags plus "best" and "current" when the pointers name it.
    std::vector<std::string> tags_of(const Manifest& manifest) const;

    const std::filesystem::path& root() const { return m_options.root; }
    std::filesystem::path manifest_path(const Manifest& manifest) const;
    std::filesystem::path history_path(const std::string& model) const;
    std::filesystem::path tmp_dir() const { return m_options.root / "tmp"; }
    std::filesystem::path state_dir() const { return m_options.root / "state"; }
    const store::Store& store() const { return *m_store; }

private:
    friend void migrate_format1(Vault& vault, const OpenProgress& progress);
    friend void migrate_version(Vault& vault, const std::filesystem::path& sidecar,
                                const Manifest& old, const std::filesystem::path& archive);
    friend void store_unpacked_version(Vault& vault, const Manifest& old,
                                       const std::filesystem::path& staging);
    Vault(VaultOptions options, const Clock& clock, UniqueFd lock);
    // Opening (vault_recover.cpp).
    void load_manifests();
    void load_manifest(const std::filesystem::path& file);
    void record_damaged(const std::filesystem::path& file, const std::string& problem,
                        const std::optional<Manifest>& readable);
    void load_histories();
    void finish_removals();
    /// Removes signatures whose manifest is gone (a crash between the two writes or
    /// removals, docs/FORMAT.md "Signatures").
    void remove_orphan_signatures();
    /// Removes a manifest file, then its signature.
    Result<void> remove_manifest(const Manifest& manifest);
    /// Writes `manifest` durably under manifests/ and adds it to the catalog.
    void commit_manifest(Manifest& manifest);
    /// Replaces a version's manifest by a new revision that `change` made (`what` names
    /// the change in errors). Throws Error(not_found).
    Manifest revise(const std::string& model, const Version& version, std::string_view what,
                    const std::function<void(Manifest&)>& change);
    /// Creates state/collection-due (durably) before a removal; see collection_due().
    void note_collection_due();
    std::vector<store::ChunkId>
    referenced_chunks(const std::vector<std::pair<std::string, Version>>& except) const;
    store::CodecSettings codec_settings() const;

    VaultOptions m_options;
    const Clock& m_clock;
    UniqueFd m_lock;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<crypto::SigningKey> m_signing; ///< an encrypted vault's (signs manifests)
    mutable std::shared_mutex m_mutex;             ///< guards m_catalog and m_options.compression
    std::mutex m_history_mutex;                    ///< serialises pointer moves
    mutable std::mutex m_revision_mutex;           ///< serialises manifest revisions and removals
    Catalog m_catalog;
    /// Removals finished so far: a collection keeps state/collection-due when one
    /// finished while it ran (its chunks may have counted as referenced).
    std::atomic<std::uint64_t> m_removals{0};
    /// Calls `call` with each observer, under m_observers_mutex: one removed is never called.
    void notify(const std::function<void(const VaultObserver&)>& call) const;
    mutable std::mutex m_observers_mutex;
    std::map<std::uint64_t, VaultObserver> m_observers;
    std::uint64_t m_next_observer = 1;
};

} // namespace mv::vault
