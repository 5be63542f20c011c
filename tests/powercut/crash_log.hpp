#pragma once
// The durability model of crashfs (tests/README.md, "Power cuts"): every operation goes
// straight through to a backing folder, and CrashLog remembers what a power cut would
// take back — until an fsync makes it durable — so that cut() can take it back.
//
// The model is that of a journaling file system in ordered mode (ext4, xfs) without
// their rename heuristics (ext4's auto_da_alloc), i.e. what POSIX promises plus the
// ordering a journal adds:
// - File data and size are durable as of the file's last fsync/fdatasync. A cut leaves
//   each file written since then in one of three states, at random: all of it lost,
//   all of it kept, or torn — every dirty 4 KiB block old or new on its own, the size
//   old or new.
// - Namespace operations (create, mkdir, unlink, rmdir, rename) are atomic and reach
//   the disk in the order they were made. One becomes durable when its directory is
//   fsynced (for a rename: the destination's), and with it, as a journal commits in
//   order, every operation made before it. A cut keeps the durable operations and a
//   random number of the following ones, in order, and undoes the rest.
// - A file's fsync never makes its name durable; attributes (mode, owner, times) are
//   not modelled (they stay as set).

#include <compare>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <sys/types.h>

#include "util/fd.hpp"

namespace mv::powercut {

/// The identity of a file or directory of the backing folder.
struct InodeKey {
    dev_t dev = 0;
    ino_t ino = 0;
    auto operator<=>(const InodeKey&) const = default;
};

/// How a cut treats what is not durable.
enum class CutMode {
    random,   ///< the model above: some of it survives, at random
    lose_all, ///< every non-durable operation and write is lost
    keep_all, ///< nothing is lost: the process died there, the kernel kept its page
              ///< cache (a SIGKILL exactly at the cut's operation)
};

/// What a cut did, for the driver's log.
struct CutReport {
    std::size_t ops_kept = 0;   ///< non-durable namespace operations that survived
    std::size_t ops_undone = 0; ///< ... that were taken back
    std::size_t files_lost = 0; ///< files whose non-durable writes were all lost
    std::size_t files_torn = 0; ///< ... partly lost
    std::size_t files_kept = 0; ///< ... all kept
    std::size_t blocks_reverted = 0;
};

class CrashLog {
public:
    /// `backing`: the folder passed through to. `grave`: an empty folder on the same file
    /// system, where removed and replaced files wait until their removal is durable.
    CrashLog(std::filesystem::path backing, std::filesystem::path grave, std::uint64_t seed);
    CrashLog(const CrashLog&) = delete;
    CrashLog& operator=(const CrashLog&) = delete;

    // Namespace operations on `path` ("/a/b", relative to the backing folder): each is
    // done on the backing folder and logged. They return 0 or -errno.
    /// Creates a regular file (O_CREAT | O_EXCL semantics unless it exists and `flags`
    /// lacks O_EXCL) and opens it read-write in `fd`.
    int create(const std::string& path, int flags, mode_t mode, int& fd);
    /// mknod for FIFOs and sockets (logged like a create).
    int mknod(const std::string& path, mode_t mode, dev_t device);
    int mkdir(const std::string& path, mode_t mode);
    int unlink(const std::string& path);
    int rmdir(const std::string& path);
    /// rename(2) with RENAME_NOREPLACE support (RENAME_EXCHANGE: -EINVAL).
    int rename(const std::string& from, const std::string& to, unsigned flags);

    // Data, through a descriptor of the backing file opened read-write.
    /// pwrite(2) of the whole buffer; returns the bytes written or -errno.
    int write(int fd, const char* data, std::size_t size, off_t offset);
    int truncate(int fd, off_t size);
    /// The file's data and size become durable.
    int fsync_file(int fd);
    /// Namespace operations in the directory, and every one before them, become durable.
    int fsync_dir(const std::string& path);
    /// The same for a descriptor of the directory in the backing folder.
    int fsync_dir(int fd);

    /// A power cut: undoes what the model lets it undo (see above) on the backing folder.
    CutReport cut(CutMode mode);
    /// A clean unmount: everything is durable; the grave is emptied.
    void settle();

    std::string backing_path(const std::string& path) const { return m_backing.string() + path; }

private:
    struct NsOp {
        enum class Kind { create, mkdir, unlink, rmdir, rename };
        Kind kind = Kind::create;
        std::string path;   ///< the name made or removed; for rename the source
        std::string target; ///< rename: the destination
        std::string grave;  ///< unlink, or rename over a file: where that file waits
        mode_t mode = 0;    ///< rmdir: the removed directory's mode
        InodeKey dir;       ///< whose fsync makes the operation durable
    };
    struct DirtyFile {
        UniqueFd fd; ///< a duplicate: outlives the file system's own handle
        std::uint64_t durable_size = 0;
        std::map<std::uint64_t, std::string> old_blocks; ///< block -> its durable bytes
    };

    void log(NsOp op);
    std::string bury(const std::string& path);
    void make_durable(std::size_t count);
    void make_durable_through(const InodeKey& dir);
    void undo(const NsOp& op);
    DirtyFile* dirty(int fd);
    void save_block(DirtyFile& file, std::uint64_t block);
    void revert_block(DirtyFile& file, std::uint64_t block, std::uint64_t current_size);
    void cut_file(DirtyFile& file, CutMode mode, CutReport& report);
    InodeKey parent_key(const std::string& path) const;

    std::filesystem::path m_backing;
    std::filesystem::path m_grave;
    std::mt19937_64 m_random;
    std::deque<NsOp> m_ops; ///< operations not durable yet, oldest first
    std::map<InodeKey, DirtyFile> m_dirty;
    std::uint64_t m_graves = 0;
};

} // namespace mv::powercut
