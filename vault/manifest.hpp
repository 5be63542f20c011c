#pragma once
// The manifest of one version: what was backed up, why, and where its bytes are. In a
// vault of format 2 it is the version: `manifests/<SHA-256 of its bytes>.json`, listing
// every file with its SHA-256 and its ordered chunks; its existence is what makes the
// version exist. Format 1 manifests (a sidecar next to a `.tar.zst` archive) are still
// read: for migration and for importing archives. docs/FORMAT.md documents every field.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/digest.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"
#include "vault/version.hpp"

namespace mv::vault {

/// The manifest format this modelvault writes; 1 (archives) is still read.
inline constexpr int k_manifest_format_version = 2;
/// Largest manifest a reader accepts and a backup may write (a corrupt archive or a
/// hostile import must not make the daemon allocate without bound; docs/PROTOCOL.md,
/// "Limits"). About 20,000 files, or 250,000 chunks (a model of 500 GB and more).
inline constexpr std::size_t k_max_manifest_bytes = 32u << 20;
/// Deepest nesting a manifest may have: its own three levels plus metrics and compat
/// values, which were read under util's k_max_json_depth.
inline constexpr std::size_t k_max_manifest_depth = 72;

/// What made a version (docs/FORMAT.md, `trigger`).
enum class Trigger { change, schedule, improvement, steps, manual, import, rollback };
const char* to_string(Trigger trigger);
std::optional<Trigger> parse_trigger(std::string_view text);

/// A stored file is part of the model or a sidecar that travels with it.
enum class FileRole { model, sidecar };

/// One chunk of a file: its name and its length.
struct ChunkRef {
    store::ChunkId id;
    std::uint64_t size = 0;
    bool operator==(const ChunkRef&) const = default;
};

struct FileEntry {
    std::string path; ///< raw bytes, relative to the model root ('/'-separated)
    FileRole role = FileRole::model;
    std::uint64_t size = 0;
    unsigned mode = 0644;         ///< permission bits
    std::int64_t mtime_ns = 0;    ///< modification time, ns since the epoch
    std::string sha256;           ///< of the file's content
    std::string format;           ///< detected format ("pickle", "hdf5", ..., "unknown")
    bool format_mismatch = false; ///< the content does not match the file's extension
    /// Format 2: the file's bytes, in order. Empty in the catalog's copies (the chunk
    /// lists stay on disk; Vault::load() reads them).
    std::vector<ChunkRef> chunks;
    std::size_t chunk_count = 0; ///< chunks.size(), kept when the list is dropped

    /// The archive member name: "model/<path>" or "sidecars/<path>".
    std::string member() const;
};

/// Format 2: how the version's chunks were stored, and what it added to the vault.
struct StorageInfo {
    std::string codec; ///< the compression setting: zstd | none
    int level = 0;     ///< zstd level of chunks that are not floats
    bool byte_grouping = true;
    bool encrypted = false;
    std::string chunk_names = "sha256";
    std::uint64_t new_chunks = 0; ///< chunks this version stored for the first time
    std::uint64_t new_bytes = 0;  ///< bytes of packs this version added
};

/// Format 1: where and how the version's archive is stored.
struct ArchiveInfo {
    std::string file;       ///< file name inside the model's vault folder
    std::uint64_t size = 0; ///< bytes on disk (sidecar only; 0 inside the archive)
    std::string sha256;     ///< of the archive file (sidecar only; empty inside the archive)
    std::string codec;      ///< zstd | gzip | xz | none
    int level = 0;
    bool encrypted = false;
};

/// The checkpoint of a series a version was made from (docs/FORMAT.md, `checkpoint`).
struct CheckpointInfo {
    std::string name; ///< raw bytes: the checkpoint's own file or folder name
    std::optional<std::int64_t> step;
    std::optional<std::int64_t> epoch;
    bool folder = false; ///< a folder checkpoint: files are stored relative to it
    friend bool operator==(const CheckpointInfo&, const CheckpointInfo&) = default;
};

/// A metrics file a version took its metrics from; a content is taken at most once
/// (docs/FORMAT.md, `metrics_files`).
struct MetricsFileRef {
    std::string path;   ///< raw bytes, relative to the watch root
    std::string sha256; ///< of the content that was read
    friend bool operator==(const MetricsFileRef&, const MetricsFileRef&) = default;
};

/// A note added to a version after it was made (`modelvaultctl note`, or `backup --note`
/// on content the version already holds): docs/FORMAT.md, `notes`.
struct Note {
    std::string text;
    std::vector<std::string> tags; ///< the note's own labels
    long long uid = -1;            ///< who added it
    std::string user;              ///< their user name then, or "uid N"
    SystemTime time{};             ///< UTC, whole seconds
    friend bool operator==(const Note&, const Note&) = default;
};

struct Manifest {
    int format_version = k_manifest_format_version;
    std::string model; ///< ModelId text
    std::string watch;
    Version version;
    std::uint64_t sequence = 0; ///< 1, 2, 3 ... per model
    SystemTime created{};       ///< UTC, whole seconds
    Trigger trigger = Trigger::change;
    std::string bump; ///< "initial", "major", "minor", "patch"
    std::string reason;
    std::optional<Version> parent;
    std::vector<FileEntry> files;
    nlohmann::json metrics = nlohmann::json::object();
    nlohmann::json compat = nlohmann::json::object();
    nlohmann::json params = nlohmann::json::object(); ///< the watch's params_file, whole
    std::vector<std::string> tags;
    std::string note;        ///< given when the version was made
    std::vector<Note> notes; ///< added later, oldest first
    std::string host;
    bool incomplete = false;                   ///< backed up although its structural check failed
    std::optional<CheckpointInfo> checkpoint;  ///< the series checkpoint it was made from
    bool metrics_missing = false;              ///< a metric its triggers need never came
    std::vector<MetricsFileRef> metrics_files; ///< the metrics contents it took
    std::uint64_t revision = 0; ///< format 2: raised each time the tags or late metrics change
    StorageInfo storage;        ///< format 2
    ArchiveInfo archive;        ///< format 1
    /// Format 2, not serialised: the name of the file it was read from or written to.
    store::Digest object;

    /// Files with role model only.
    std::vector<const FileEntry*> model_files() const;
    /// Total size of all files.
    std::uint64_t total_size() const;
    /// Every chunk of every file, sorted, each once.
    std::vector<store::ChunkId> chunk_ids() const;
    /// The same without chunk lists (what the catalog keeps).
    Manifest without_chunks() const;
};

/// The manifest as JSON (paths in their escaped text form). Format 2 manifests always
/// carry their chunk lists; `chunks: false` leaves them out (the protocol's summaries).
nlohmann::json to_json(const Manifest& manifest, bool chunks = true);
/// Parses and validates a manifest; the error names the first bad field. A format-1
/// archive.file must be a plain file name (it was opened next to the sidecar).
Result<Manifest> manifest_from_json(const nlohmann::json& json);
/// Fails when a stored path could write outside a restore target (absolute, empty, "."
/// or ".." components) or names a member twice. Restore refuses such a version, and
/// verify reports it by the same words.
Result<void> check_stored_paths(const Manifest& manifest);
/// Parses manifest text (trailing whitespace, used as padding in archives, is fine);
/// refuses text over k_max_manifest_bytes or nesting deeper than k_max_manifest_depth.
Result<Manifest> parse_manifest(std::string_view text);

} // namespace mv::vault
