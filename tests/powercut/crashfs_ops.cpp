#include "tests/powercut/crashfs_ops.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

namespace mv::powercut {

namespace {

volatile std::sig_atomic_t g_powered_off = 0;
std::atomic<std::int64_t> g_frozen_ns{0}; // CLOCK_MONOTONIC of the cut
static_assert(std::atomic<std::int64_t>::is_always_lock_free, "set from a signal handler");
std::atomic<std::uint64_t> g_operations{0}; // mutating operations so far
std::atomic<std::uint64_t> g_armed_at{0};   // g_operations when arm_cut() ran
std::atomic<std::uint64_t> g_cut_at{0};     // the operation that cuts the power; 0: none
std::uint64_t g_cut_distance = 0;           // --cut-at-op
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "set from a signal handler");

// A mutating operation is about to reach the disk: refused when the power is off, or
// when it is the one chosen to find it off (--cut-at-op): the cut then falls exactly
// between two of the daemon's operations, e.g. between a rename and its folder's fsync.
bool refused() {
    if (g_powered_off) {
        return true;
    }
    if (++g_operations == g_cut_at) {
        power_off();
        return true;
    }
    return false;
}

CrashLog& crash_log() {
    return *static_cast<CrashLog*>(fuse_get_context()->private_data);
}

std::string real(const char* path) {
    return crash_log().backing_path(path);
}

int result(int value) {
    return value == 0 ? 0 : -errno;
}

int handle(const fuse_file_info* fi) {
    return static_cast<int>(fi->fh);
}

// A read-write descriptor of the file, whatever the caller asked for: CrashLog must read
// what a write replaces. O_APPEND is left out because FUSE passes explicit offsets.
int open_backing(const char* path, int flags) {
    const int clean = flags & ~(O_ACCMODE | O_APPEND | O_TRUNC | O_CREAT | O_EXCL);
    return ::open(real(path).c_str(), clean | O_RDWR | O_CLOEXEC);
}

// --- attributes and reading (not modelled: passed through) ----------------------------
int op_getattr(const char* path, struct stat* st, fuse_file_info* fi) {
    if (g_powered_off) {
        return -EIO;
    }
    if (fi != nullptr) {
        return result(::fstat(handle(fi), st));
    }
    return result(::lstat(real(path).c_str(), st));
}

int op_access(const char* path, int mask) {
    return g_powered_off ? -EIO : result(::access(real(path).c_str(), mask));
}

int op_opendir(const char* path, fuse_file_info* fi) {
    if (g_powered_off) {
        return -EIO;
    }
    const int fd = ::open(real(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    fi->fh = static_cast<std::uint64_t>(fd);
    return 0;
}

int op_releasedir(const char*, fuse_file_info* fi) {
    ::close(handle(fi));
    return 0;
}

int op_readdir(const char*, void* buffer, fuse_fill_dir_t fill, off_t, fuse_file_info* fi,
               fuse_readdir_flags) {
    if (g_powered_off) {
        return -EIO;
    }
    DIR* dir = ::fdopendir(::dup(handle(fi)));
    if (dir == nullptr) {
        return -errno;
    }
    ::rewinddir(dir);
    while (const dirent* entry = ::readdir(dir)) {
        struct stat st {};
        st.st_ino = entry->d_ino;
        st.st_mode = static_cast<mode_t>(DTTOIF(entry->d_type));
        if (fill(buffer, entry->d_name, &st, 0, static_cast<fuse_fill_dir_flags>(0)) != 0) {
            break;
        }
    }
    ::closedir(dir);
    return 0;
}

int op_read(const char*, char* buffer, size_t size, off_t offset, fuse_file_info* fi) {
    if (g_powered_off) {
        return -EIO;
    }
    const ssize_t got = ::pread(handle(fi), buffer, size, offset);
    return got < 0 ? -errno : static_cast<int>(got);
}

int op_statfs(const char*, struct statvfs* st) {
    if (g_powered_off) {
        return -EIO;
    }
    return result(::statvfs(crash_log().backing_path("/").c_str(), st));
}

int op_chmod(const char* path, mode_t mode, fuse_file_info* fi) {
    if (g_powered_off) {
        return -EIO;
    }
    return result(fi != nullptr ? ::fchmod(handle(fi), mode) : ::chmod(real(path).c_str(), mode));
}

int op_chown(const char* path, uid_t uid, gid_t gid, fuse_file_info* fi) {
    if (g_powered_off) {
        return -EIO;
    }
    return result(fi != nullptr ? ::fchown(handle(fi), uid, gid)
                                : ::lchown(real(path).c_str(), uid, gid));
}

int op_utimens(const char* path, const struct timespec times[2], fuse_file_info* fi) {
    if (g_powered_off) {
        return -EIO;
    }
    return result(fi != nullptr
                      ? ::futimens(handle(fi), times)
                      : ::utimensat(AT_FDCWD, real(path).c_str(), times, AT_SYMLINK_NOFOLLOW));
}

// --- files ----------------------------------------------------------------------------
int op_open(const char* path, fuse_file_info* fi) {
    if (g_powered_off) {
        return -EIO;
    }
    const int fd = open_backing(path, fi->flags);
    if (fd < 0) {
        return -errno;
    }
    fi->fh = static_cast<std::uint64_t>(fd);
    if ((fi->flags & O_TRUNC) != 0) {
        return crash_log().truncate(fd, 0);
    }
    return 0;
}

int op_create(const char* path, mode_t mode, fuse_file_info* fi) {
    if (refused()) {
        return -EIO;
    }
    int fd = -1;
    const int error = crash_log().create(path, fi->flags, mode, fd);
    fi->fh = static_cast<std::uint64_t>(fd);
    return error;
}

int op_write(const char*, const char* data, size_t size, off_t offset, fuse_file_info* fi) {
    return refused() ? -EIO : crash_log().write(handle(fi), data, size, offset);
}

int op_truncate(const char* path, off_t size, fuse_file_info* fi) {
    if (refused()) {
        return -EIO;
    }
    if (fi != nullptr) {
        return crash_log().truncate(handle(fi), size);
    }
    const int fd = open_backing(path, 0);
    if (fd < 0) {
        return -errno;
    }
    const int error = crash_log().truncate(fd, size);
    ::close(fd);
    return error;
}

int op_fsync(const char*, int, fuse_file_info* fi) {
    return refused() ? -EIO : crash_log().fsync_file(handle(fi));
}

int op_flush(const char*, fuse_file_info*) {
    return g_powered_off ? -EIO : 0;
}

int op_release(const char*, fuse_file_info* fi) {
    ::close(handle(fi)); // also after the power is off: the kernel is letting go
    return 0;
}

// --- the namespace --------------------------------------------------------------------
int op_mknod(const char* path, mode_t mode, dev_t device) {
    return refused() ? -EIO : crash_log().mknod(path, mode, device);
}

int op_mkdir(const char* path, mode_t mode) {
    return refused() ? -EIO : crash_log().mkdir(path, mode);
}

int op_unlink(const char* path) {
    return refused() ? -EIO : crash_log().unlink(path);
}

int op_rmdir(const char* path) {
    return refused() ? -EIO : crash_log().rmdir(path);
}

int op_rename(const char* from, const char* to, unsigned flags) {
    return refused() ? -EIO : crash_log().rename(from, to, flags);
}

int op_fsyncdir(const char*, int, fuse_file_info* fi) {
    return refused() ? -EIO : crash_log().fsync_dir(handle(fi));
}

// Links are not modelled (the vault uses none): refused rather than half-supported.
int op_symlink(const char*, const char*) {
    return -EPERM;
}

int op_link(const char*, const char*) {
    return -EPERM;
}

void* op_init(fuse_conn_info* connection, fuse_config* config) {
    config->use_ino = 1;
    config->hard_remove = 1; // unlink means unlink, not a rename to .fuse_hidden*
    config->nullpath_ok = 1; // open files keep working after their name is gone
    connection->want &= ~static_cast<unsigned>(FUSE_CAP_WRITEBACK_CACHE);
    return fuse_get_context()->private_data;
}

} // namespace

fuse_operations crashfs_operations() {
    fuse_operations ops{};
    ops.getattr = op_getattr;
    ops.access = op_access;
    ops.opendir = op_opendir;
    ops.readdir = op_readdir;
    ops.releasedir = op_releasedir;
    ops.read = op_read;
    ops.statfs = op_statfs;
    ops.chmod = op_chmod;
    ops.chown = op_chown;
    ops.utimens = op_utimens;
    ops.open = op_open;
    ops.create = op_create;
    ops.write = op_write;
    ops.truncate = op_truncate;
    ops.fsync = op_fsync;
    ops.flush = op_flush;
    ops.release = op_release;
    ops.mknod = op_mknod;
    ops.mkdir = op_mkdir;
    ops.unlink = op_unlink;
    ops.rmdir = op_rmdir;
    ops.rename = op_rename;
    ops.fsyncdir = op_fsyncdir;
    ops.symlink = op_symlink;
    ops.link = op_link;
    ops.init = op_init;
    return ops;
}

void power_off() noexcept {
    if (g_powered_off == 0) {
        struct timespec now {};
        ::clock_gettime(CLOCK_MONOTONIC, &now); // async-signal-safe
        g_frozen_ns = std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
    }
    g_powered_off = 1;
}

void cut_at_operation(std::uint64_t distance) noexcept {
    g_cut_distance = distance;
}

void arm_cut() noexcept {
    if (g_cut_distance > 0 && g_cut_at == 0) {
        g_armed_at = g_operations.load();
        g_cut_at = g_armed_at + g_cut_distance;
    }
}

std::uint64_t operations_since_armed() noexcept {
    return g_cut_at == 0 ? 0 : g_operations - g_armed_at;
}

double frozen_at() noexcept {
    return static_cast<double>(g_frozen_ns.load()) / 1e9;
}

bool powered_off() noexcept {
    return g_powered_off != 0;
}

} // namespace mv::powercut
