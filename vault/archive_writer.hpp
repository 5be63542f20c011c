#pragma once
// Writes one version's archive into the vault's tmp/ folder in a single pass over the
// model files: each file is read once, hashed and compressed as it streams through.
//
// The archive must start with manifest.json, but the manifest holds the hashes that are
// only known after the pass. So the writer reserves a region at the front, streams the
// rest of the archive after it, and finally writes manifest.json as its own compressed
// frame into the region, filling what is left with codec padding (docs/FORMAT.md).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "config/model.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/time.hpp"
#include "vault/manifest.hpp"

struct archive;

namespace mv::vault {

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

class ArchiveWriter {
public:
    /// Creates `path` (must not exist) and reserves room for a manifest of at most
    /// `manifest_capacity` bytes of JSON. Throws Error on I/O or libarchive failure.
    ArchiveWriter(std::filesystem::path path, const config::Compression& compression,
                  std::size_t manifest_capacity);
    /// Removes the file unless release() was called: whatever fails after finish()
    /// (read-back, commit) leaves no file in tmp/ either.
    ~ArchiveWriter();
    ArchiveWriter(const ArchiveWriter&) = delete;
    ArchiveWriter& operator=(const ArchiveWriter&) = delete;

    /// Streams `source` into the archive as source.role's member, hashing it and detecting
    /// its format on the way. Throws FileChangedError if it changed while being read,
    /// Error(cancelled) when `stop` is requested, Error(not_found) when it is gone,
    /// Error(invalid_argument) for a symlink or non-regular file, Error for I/O failures.
    FileEntry add_file(const SourceFile& source, const std::stop_token& stop,
                       const ProgressFn& progress);

    /// Adds a small member whose content is in memory (README.md).
    void add_text(const std::string& member, std::string_view content, SystemTime mtime);

    /// Ends the archive, writes `manifest_json` (≤ capacity) as manifest.json at the
    /// front, and fsyncs. Returns the archive's size in bytes.
    std::uint64_t finish(std::string_view manifest_json, SystemTime mtime);

    const std::filesystem::path& path() const { return m_path; }
    /// The file was moved into place: the destructor must not remove anything.
    void release() { m_released = true; }

private:
    void write_header(const std::string& member, std::uint64_t size, unsigned mode,
                      std::int64_t mtime_ns);
    void write_data(const void* data, std::size_t size);
    [[noreturn]] void fail(std::string_view what) const;
    static ssize_t on_write(struct archive*, void* self, const void* data, std::size_t size);

    std::filesystem::path m_path;
    config::Compression m_compression;
    std::size_t m_manifest_capacity;
    std::size_t m_reserved; ///< bytes at the front kept for the manifest frame
    UniqueFd m_fd;
    std::unique_ptr<struct archive, int (*)(struct archive*)> m_archive;
    std::uint64_t m_written = 0; ///< bytes of the data part written after the reserve
    std::unique_ptr<char[]> m_buffer;
    bool m_finished = false;
    bool m_released = false;
};

/// Size of the JSON text of a tar header + manifest member region for `capacity` bytes.
std::size_t manifest_region_size(std::size_t capacity);

} // namespace mv::vault
