#pragma once
// Writes one version's archive into the vault's tmp/ folder in a single pass over the
// model files: each file is read once, hashed and compressed as it streams through.
//
// The archive must start with manifest.json, but the manifest holds the hashes that are
// only known after the pass. So the writer reserves a region at the front, streams the
// rest of the archive after it, and finally writes manifest.json as its own compressed
// frame into the region, filling what is left with codec padding (docs/FORMAT.md).
//
// Verification happens while writing: every compressed byte also goes to a
// StreamVerifier, which decodes it on another thread and hashes every member; finish()
// compares those hashes with the ones taken from the source files. read_back() then
// proves that the file on disk holds exactly the bytes that were verified.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "config/model.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/time.hpp"
#include "vault/manifest.hpp"

struct archive;

namespace mv::vault {

class Sha256;
class StreamVerifier;
class ZstdEncoder;

/// What a file looked like when its owner decided to store it (device, inode, size,
/// modification and change times): add_file() refuses a file that no longer looks so.
struct ExpectedState {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
};

/// A file to store: where it is (opened below `root`, never through a symlink), its path
/// inside the model, and its role.
struct SourceFile {
    std::filesystem::path root; ///< a folder the daemon trusts (the watch's root)
    std::string relative;       ///< raw bytes, '/'-separated, below root
    std::string stored_as;      ///< raw path inside the model: member model/<stored_as>
    FileRole role = FileRole::model;
    /// When set, the file is read from this descriptor (opened by someone else, e.g. a
    /// client importing with its own rights) instead of root/relative.
    std::shared_ptr<UniqueFd> descriptor;
    /// When set: the state the file was judged quiet in (a write since then is a change).
    std::optional<ExpectedState> expected = std::nullopt;

    /// The file `relative` below `root`, stored as `stored_as`.
    static SourceFile beneath(std::filesystem::path root, std::string relative,
                              std::string stored_as, FileRole role = FileRole::model) {
        return {std::move(root), std::move(relative), std::move(stored_as), role, nullptr};
    }
    /// The file open as `fd`, stored as `stored_as`.
    static SourceFile from_descriptor(std::shared_ptr<UniqueFd> fd, std::string stored_as,
                                      FileRole role = FileRole::model) {
        return {{}, {}, std::move(stored_as), role, std::move(fd)};
    }
};

/// Called with the number of bytes of the current file read so far.
using ProgressFn = std::function<void(std::uint64_t bytes_read)>;

/// Thrown when a source file changed, grew, shrank or was replaced while it was being
/// read: the version is discarded and the file is backed up again once it settles.
class FileChangedError : public Error {
public:
    explicit FileChangedError(std::string message)
        : Error(std::move(message), ErrorCode::cancelled) {}
};

/// Whether the archive is verified while it is written (see the file comment).
enum class Verification { none, in_flight };

/// How member names are written. With `binary`, every member gets a pax header saying
/// `hdrcharset=BINARY`, which keeps any byte sequence exact but makes GNU tar print a
/// warning per member; `ascii` writes plain ustar headers (pax only for long names).
enum class MemberNames { ascii, binary };

/// `binary` when any name holds a byte outside ASCII, else `ascii`.
MemberNames member_names_for(const std::vector<std::string>& names);

/// What the archive file on disk turned out to be.
struct ArchiveFacts {
    std::uint64_t size = 0;
    std::string sha256;
};

class ArchiveWriter {
public:
    /// Creates `path` (must not exist) and reserves room for a manifest of at most
    /// `manifest_capacity` bytes of JSON. Names outside ASCII need MemberNames::binary.
    /// Throws Error on I/O or libarchive failure.
    ArchiveWriter(std::filesystem::path path, const config::Compression& compression,
                  std::size_t manifest_capacity, Verification verification,
                  MemberNames names = MemberNames::ascii);
    /// Removes the file unless release() was called: whatever fails after finish()
    /// (read-back, commit) leaves no file in tmp/ either.
    ~ArchiveWriter();
    ArchiveWriter(const ArchiveWriter&) = delete;
    ArchiveWriter& operator=(const ArchiveWriter&) = delete;

    /// Streams `source` into the archive as source.role's member, hashing it and detecting
    /// its format on the way. Throws FileChangedError if it changed while being read or
    /// no longer has `source.expected`,
    /// Error(cancelled) when `stop` is requested, Error(not_found) when it is gone,
    /// Error(invalid_argument) for a symlink or non-regular file, Error for I/O failures.
    FileEntry add_file(const SourceFile& source, const std::stop_token& stop,
                       const ProgressFn& progress);

    /// Adds a small member whose content is in memory (README.md).
    void add_text(const std::string& member, std::string_view content, SystemTime mtime);

    /// Ends the archive, checks the in-flight verification (Error(corrupt) naming the
    /// member on any difference), writes `manifest_json` (≤ capacity) as manifest.json at
    /// the front and checks that frame too. Returns the archive's size.
    std::uint64_t finish(std::string_view manifest_json, SystemTime mtime);

    /// After finish(): fsyncs the file and reads it once, returning its SHA-256; with
    /// in-flight verification it also proves that the writer put exactly the verified
    /// bytes in the file (the front region byte for byte, the rest by SHA-256; the reads
    /// come from the page cache, durability comes from the fsync). Throws Error(corrupt)
    /// when not, Error(io) when a read or the fsync fails, Error(cancelled) when `stop` is
    /// requested. Call it exactly once.
    ArchiveFacts read_back(const std::stop_token& stop);

    const std::filesystem::path& path() const { return m_path; }
    /// The file was moved into place: the destructor must not remove anything.
    void release() { m_released = true; }

private:
    void start(const config::Compression& compression, Verification verification,
               MemberNames names);
    void expect_new_member(const std::string& member) const;
    void write_header(const std::string& member, std::uint64_t size, unsigned mode,
                      std::int64_t mtime_ns);
    void write_data(const void* data, std::size_t size);
    /// Compressed bytes leaving the writer: to the file, the data hash and the verifier.
    void emit(const char* data, std::size_t size);
    void check_in_flight();
    [[noreturn]] void fail(std::string_view what) const;
    static ssize_t on_write(struct archive*, void* self, const void* data, std::size_t size);

    std::filesystem::path m_path;
    config::Compression m_compression;
    std::size_t m_manifest_capacity;
    std::size_t m_reserved; ///< bytes at the front kept for the manifest frame
    UniqueFd m_fd;
    std::unique_ptr<struct archive, int (*)(struct archive*)> m_archive;
    std::unique_ptr<ZstdEncoder> m_zstd;        ///< zstd is compressed here, not in libarchive
    std::unique_ptr<StreamVerifier> m_verifier; ///< null without in-flight verification
    std::unique_ptr<Sha256> m_data_sha;         ///< after the front region; when verifying
    std::string m_data_digest;                  ///< m_data_sha's result, after finish()
    std::string m_front;                        ///< the front region as written
    std::map<std::string, std::pair<std::uint64_t, std::string>> m_expected; ///< member → size, sha
    std::uint64_t m_written = 0; ///< bytes of the data part written after the reserve
    std::unique_ptr<char[]> m_buffer;
    std::string m_error; ///< why emit() failed (reported through libarchive)
    bool m_finished = false;
    bool m_released = false;
};

/// Size of the tar header + manifest member region for `capacity` bytes of JSON.
std::size_t manifest_region_size(std::size_t capacity);

} // namespace mv::vault
