#include "tests/powercut/crash_log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mv::powercut {

namespace {

constexpr std::uint64_t k_block = 4096;

int errno_result() {
    return -errno;
}

InodeKey key_of(const struct stat& st) {
    return {st.st_dev, st.st_ino};
}

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

bool exists(const std::string& real) {
    struct stat st {};
    return ::lstat(real.c_str(), &st) == 0;
}

} // namespace

CrashLog::CrashLog(std::filesystem::path backing, std::filesystem::path grave, std::uint64_t seed)
    : m_backing(std::move(backing)), m_grave(std::move(grave)), m_random(seed) {}

InodeKey CrashLog::parent_key(const std::string& path) const {
    struct stat st {};
    ::lstat(backing_path(parent_of(path)).c_str(), &st);
    return key_of(st);
}

void CrashLog::log(NsOp op) {
    m_ops.push_back(std::move(op));
}

// Moves a file that is being removed or replaced out of the way, so that a cut can put
// it back; it is deleted for good once its removal is durable.
std::string CrashLog::bury(const std::string& path) {
    const std::string grave = (m_grave / std::to_string(++m_graves)).string();
    if (::rename(backing_path(path).c_str(), grave.c_str()) != 0) {
        return {};
    }
    return grave;
}

int CrashLog::create(const std::string& path, int flags, mode_t mode, int& fd) {
    const std::string real = backing_path(path);
    const bool existed = exists(real);
    const int open_flags = (flags & ~(O_ACCMODE | O_APPEND | O_TRUNC)) | O_RDWR | O_CREAT;
    fd = ::open(real.c_str(), open_flags | O_CLOEXEC, mode);
    if (fd < 0) {
        return errno_result();
    }
    if (!existed) {
        log({NsOp::Kind::create, path, {}, {}, 0, parent_key(path)});
    } else if ((flags & O_TRUNC) != 0) {
        return truncate(fd, 0);
    }
    return 0;
}

int CrashLog::mknod(const std::string& path, mode_t mode, dev_t device) {
    if (::mknod(backing_path(path).c_str(), mode, device) != 0) {
        return errno_result();
    }
    log({NsOp::Kind::create, path, {}, {}, 0, parent_key(path)});
    return 0;
}

int CrashLog::mkdir(const std::string& path, mode_t mode) {
    if (::mkdir(backing_path(path).c_str(), mode) != 0) {
        return errno_result();
    }
    log({NsOp::Kind::mkdir, path, {}, {}, 0, parent_key(path)});
    return 0;
}

int CrashLog::unlink(const std::string& path) {
    struct stat st {};
    if (::lstat(backing_path(path).c_str(), &st) != 0) {
        return errno_result();
    }
    if (S_ISDIR(st.st_mode)) {
        return -EISDIR;
    }
    const InodeKey dir = parent_key(path);
    std::string grave = bury(path);
    if (grave.empty()) {
        return errno_result();
    }
    log({NsOp::Kind::unlink, path, {}, std::move(grave), 0, dir});
    return 0;
}

int CrashLog::rmdir(const std::string& path) {
    struct stat st {};
    if (::lstat(backing_path(path).c_str(), &st) != 0) {
        return errno_result();
    }
    const InodeKey dir = parent_key(path);
    if (::rmdir(backing_path(path).c_str()) != 0) {
        return errno_result();
    }
    log({NsOp::Kind::rmdir, path, {}, {}, st.st_mode & 07777, dir});
    return 0;
}

int CrashLog::rename(const std::string& from, const std::string& to, unsigned flags) {
    if ((flags & RENAME_EXCHANGE) != 0 || (flags & ~unsigned{RENAME_NOREPLACE}) != 0) {
        return -EINVAL;
    }
    struct stat source {};
    if (::lstat(backing_path(from).c_str(), &source) != 0) {
        return errno_result();
    }
    std::string grave;
    struct stat target {};
    if (::lstat(backing_path(to).c_str(), &target) == 0) {
        if ((flags & RENAME_NOREPLACE) != 0) {
            return -EEXIST;
        }
        if (key_of(target) == key_of(source)) {
            return 0; // rename(2) of a name onto a link of the same file does nothing
        }
        if (S_ISDIR(target.st_mode) != S_ISDIR(source.st_mode)) {
            return S_ISDIR(target.st_mode) ? -EISDIR : -ENOTDIR;
        }
        std::error_code error;
        if (S_ISDIR(target.st_mode) && !std::filesystem::is_empty(backing_path(to), error)) {
            return -ENOTEMPTY;
        }
        grave = bury(to);
        if (grave.empty()) {
            return errno_result();
        }
    }
    if (::rename(backing_path(from).c_str(), backing_path(to).c_str()) != 0) {
        const int error = errno;
        if (!grave.empty()) {
            ::rename(grave.c_str(), backing_path(to).c_str());
        }
        return -error;
    }
    log({NsOp::Kind::rename, from, to, std::move(grave), 0, parent_key(to)});
    return 0;
}

CrashLog::DirtyFile* CrashLog::dirty(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return nullptr;
    }
    auto [it, added] = m_dirty.try_emplace(key_of(st));
    if (added) {
        // Not dirty until now, so what the file holds is what is durable.
        it->second.fd = UniqueFd(::dup(fd));
        it->second.durable_size = static_cast<std::uint64_t>(st.st_size);
    }
    return &it->second;
}

void CrashLog::save_block(DirtyFile& file, std::uint64_t block) {
    if (file.old_blocks.count(block) != 0) {
        return;
    }
    std::string old;
    const std::uint64_t start = block * k_block;
    if (start < file.durable_size) {
        old.resize(std::min(k_block, file.durable_size - start));
        const ssize_t got =
            ::pread(file.fd.get(), old.data(), old.size(), static_cast<off_t>(start));
        old.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    }
    file.old_blocks.emplace(block, std::move(old));
}

int CrashLog::write(int fd, const char* data, std::size_t size, off_t offset) {
    DirtyFile* file = dirty(fd);
    if (file == nullptr) {
        return errno_result();
    }
    if (size > 0) {
        const auto first = static_cast<std::uint64_t>(offset) / k_block;
        const auto last = (static_cast<std::uint64_t>(offset) + size - 1) / k_block;
        for (auto block = first; block <= last; ++block) {
            save_block(*file, block);
        }
    }
    const ssize_t written = ::pwrite(fd, data, size, offset);
    return written < 0 ? errno_result() : static_cast<int>(written);
}

int CrashLog::truncate(int fd, off_t size) {
    DirtyFile* file = dirty(fd);
    if (file == nullptr) {
        return errno_result();
    }
    // Durable bytes beyond the new end are lost by the truncation: keep them.
    for (auto block = static_cast<std::uint64_t>(size) / k_block;
         block * k_block < file->durable_size; ++block) {
        save_block(*file, block);
    }
    return ::ftruncate(fd, size) == 0 ? 0 : errno_result();
}

int CrashLog::fsync_file(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return errno_result();
    }
    m_dirty.erase(key_of(st));
    return 0;
}

int CrashLog::fsync_dir(const std::string& path) {
    struct stat st {};
    if (::lstat(backing_path(path).c_str(), &st) != 0) {
        return errno_result();
    }
    make_durable_through(key_of(st));
    return 0;
}

int CrashLog::fsync_dir(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return errno_result();
    }
    make_durable_through(key_of(st));
    return 0;
}

void CrashLog::make_durable_through(const InodeKey& dir) {
    for (std::size_t i = m_ops.size(); i > 0; --i) {
        if (m_ops[i - 1].dir == dir) {
            make_durable(i);
            return;
        }
    }
}

// The first `count` logged operations will survive any cut: forget how to undo them and
// delete for good what they removed.
void CrashLog::make_durable(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (!m_ops.front().grave.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(m_ops.front().grave, ignored);
        }
        m_ops.pop_front();
    }
}

void CrashLog::undo(const NsOp& op) {
    const std::string path = backing_path(op.path);
    switch (op.kind) {
    case NsOp::Kind::create:
        ::unlink(path.c_str());
        break;
    case NsOp::Kind::mkdir:
        ::rmdir(path.c_str());
        break;
    case NsOp::Kind::unlink:
        ::rename(op.grave.c_str(), path.c_str());
        break;
    case NsOp::Kind::rmdir:
        ::mkdir(path.c_str(), op.mode);
        break;
    case NsOp::Kind::rename:
        ::rename(backing_path(op.target).c_str(), path.c_str());
        if (!op.grave.empty()) {
            ::rename(op.grave.c_str(), backing_path(op.target).c_str());
        }
        break;
    }
}

void CrashLog::revert_block(DirtyFile& file, std::uint64_t block, std::uint64_t current_size) {
    const std::string& old = file.old_blocks.at(block);
    const std::uint64_t start = block * k_block;
    // Bytes beyond the durable ones were never on disk: they read as zeros (a hole).
    const std::uint64_t end = std::min(start + k_block, current_size);
    std::string content = old;
    if (end > start + content.size()) {
        content.resize(end - start, '\0');
    }
    (void)::pwrite(file.fd.get(), content.data(), content.size(), static_cast<off_t>(start));
}

void CrashLog::cut_file(DirtyFile& file, CutMode mode, CutReport& report) {
    struct stat st {};
    if (::fstat(file.fd.get(), &st) != 0 || st.st_nlink == 0) {
        return; // its creation was undone, or it was removed: nothing to see
    }
    const auto current_size = static_cast<std::uint64_t>(st.st_size);
    // 0: everything lost, 1: everything kept, 2: torn.
    const auto fate = mode == CutMode::lose_all ? 0 : m_random() % 3;
    if (fate == 1) {
        ++report.files_kept;
        return;
    }
    std::uint64_t size = file.durable_size;
    if (fate == 2 && m_random() % 2 == 0) {
        size = current_size;
    }
    for (const auto& [block, old] : file.old_blocks) {
        if (fate == 0 || m_random() % 2 == 0) {
            revert_block(file, block, std::max(current_size, size));
            ++report.blocks_reverted;
        }
    }
    (void)::ftruncate(file.fd.get(), static_cast<off_t>(size));
    ++(fate == 0 ? report.files_lost : report.files_torn);
}

CutReport CrashLog::cut(CutMode mode) {
    CutReport report;
    if (mode == CutMode::keep_all) {
        report.ops_kept = m_ops.size();
        report.files_kept = m_dirty.size();
        settle();
        return report;
    }
    const std::size_t keep = mode == CutMode::lose_all ? 0 : m_random() % (m_ops.size() + 1);
    report.ops_kept = keep;
    report.ops_undone = m_ops.size() - keep;
    while (m_ops.size() > keep) {
        undo(m_ops.back());
        m_ops.pop_back();
    }
    for (auto& [key, file] : m_dirty) {
        cut_file(file, mode, report);
    }
    settle();
    return report;
}

void CrashLog::settle() {
    make_durable(m_ops.size());
    m_dirty.clear();
}

} // namespace mv::powercut
