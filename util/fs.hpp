#pragma once
// Durable file-system operations. Everything that must survive a crash goes through
// these: write to a temporary name, fsync, rename, fsync the directory.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "util/expected.hpp"
#include "util/fd.hpp"

namespace mv::fs {

namespace stdfs = std::filesystem;

/// fsync(fd); `what` names the file in the error message.
Result<void> sync_fd(int fd, const stdfs::path& what);

/// Opens `dir` and fsyncs it so that a rename or unlink inside it is durable.
Result<void> sync_directory(const stdfs::path& dir);

/// mkdir -p that fsyncs each parent in which it created an entry.
Result<void> create_directories_durable(const stdfs::path& dir);

/// Atomically replaces `target` with `data`: temporary file in `tmp_dir` (same file
/// system; the target's own directory when empty), fsync, rename, fsync the directory.
/// A crash leaves either the old content or the new one, never a mix.
Result<void> write_file_atomic(const stdfs::path& target, std::string_view data,
                               const stdfs::path& tmp_dir = {}, unsigned mode = 0644);

/// Renames `from` to `to` and fsyncs the destination directory (and the source's,
/// when it differs).
Result<void> rename_durable(const stdfs::path& from, const stdfs::path& to);

/// Unlinks `path` and fsyncs its directory. A missing file is not an error.
Result<void> remove_durable(const stdfs::path& path);

/// Everything left to read from `fd` (`path` names it in messages), refusing more than
/// `max_size` bytes.
Result<std::string> read_all(int fd, const stdfs::path& path, std::size_t max_size);

/// The whole content of the regular file `path` (see open_for_reading()), refusing files
/// larger than `max_size` bytes.
Result<std::string> read_file(const stdfs::path& path, std::size_t max_size = 64u << 20,
                              bool follow_symlinks = true);

/// Opens the regular file `path` for reading (O_NOFOLLOW unless `follow_symlinks`). The
/// open never blocks: a FIFO, device, socket or folder where a file should be is refused
/// with a message naming it and what it is (a FIFO in the vault used to hang `verify`).
Result<UniqueFd> open_for_reading(const stdfs::path& path, bool follow_symlinks = true);

/// "a FIFO", "a socket", "a folder" ...: what `mode` (st_mode) is, for messages.
const char* file_kind(unsigned mode);

/// Opens the regular file `relative` below the directory `root` for reading, refusing
/// any symlink on the way (every component is opened with O_NOFOLLOW relative to its
/// parent) and anything that is not a regular file. The open never blocks (a FIFO is
/// refused, not waited for). Used for every file the daemon reads on someone's behalf:
/// a symlink planted in a watched folder cannot make it read elsewhere. On failure
/// `os_error` (when given) receives the errno that best describes it (ENOENT, EACCES,
/// ELOOP for a symlink, EINVAL for something that is not a regular file).
Result<UniqueFd> open_beneath(const stdfs::path& root, std::string_view relative,
                              int* os_error = nullptr);

/// The whole content of the regular file `relative` below `root` (see open_beneath()).
Result<std::string> read_file_beneath(const stdfs::path& root, std::string_view relative,
                                      std::size_t max_size = 64u << 20);

/// write(2) all of `data` to `fd`, retrying on EINTR and short writes.
Result<void> write_all(int fd, const void* data, std::size_t size, const stdfs::path& what);

/// pwrite(2) all of `data` to `fd` at `offset`, retrying on EINTR and short writes.
Result<void> pwrite_all(int fd, const void* data, std::size_t size, off_t offset,
                        const stdfs::path& what);

/// A name unique within this process and very likely across processes, for temp files.
std::string unique_suffix();

} // namespace mv::fs
