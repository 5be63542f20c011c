#pragma once
// A file to back up, and how it is opened and watched while it is read: never through a
// symlink, only regular files, and any change during the read (size, times, inode, or a
// rename over it) discards the version (docs/FORMAT.md "How a version is committed").

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>

#include "util/error.hpp"
#include "util/fd.hpp"
#include "vault/manifest.hpp"

namespace mv::vault {

/// What a file looked like when its owner decided to store it (device, inode, size,
/// modification and change times): open_source() refuses a file that no longer looks so.
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
        return {std::move(root), std::move(relative), std::move(stored_as), role,
                nullptr,         std::nullopt};
    }
    /// The file open as `fd`, stored as `stored_as`.
    static SourceFile from_descriptor(std::shared_ptr<UniqueFd> fd, std::string stored_as,
                                      FileRole role = FileRole::model) {
        return {{}, {}, std::move(stored_as), role, std::move(fd), std::nullopt};
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

/// A source file opened for reading, with what it looked like when opened.
struct OpenSource {
    UniqueFd fd;
    struct stat before {};
    std::string shown; ///< its name for messages (text form)
};

/// Opens `source`. Throws Error(not_found) when it is gone, Error(invalid_argument) for a
/// symlink on the way or a file that is not regular, FileChangedError when it no longer
/// has `source.expected`, Error for other failures.
OpenSource open_source(const SourceFile& source);

/// After reading: throws FileChangedError when the file changed since it was opened, or
/// when its path now names another file (or nothing).
void check_unchanged(const SourceFile& source, const OpenSource& opened);

/// Nanoseconds since the epoch of a timespec.
std::int64_t to_ns(const struct timespec& ts);

} // namespace mv::vault
