#include "util/fs.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace mv::fs {

namespace {

std::string describe(std::string_view action, const stdfs::path& path) {
    return fmt::format("cannot {} {}", action, path.string());
}

} // namespace

Result<void> sync_fd(int fd, const stdfs::path& what) {
    if (::fsync(fd) != 0) {
        return failure(errno_message(describe("fsync", what), errno));
    }
    return {};
}

Result<void> sync_directory(const stdfs::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        return failure(errno_message(describe("open directory", dir), errno));
    }
    return sync_fd(fd.get(), dir);
}

Result<void> create_directories_durable(const stdfs::path& dir) {
    if (dir.empty()) {
        return {};
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            return failure(fmt::format("{} exists but is not a directory", dir.string()));
        }
        return {};
    }
    const auto parent = dir.parent_path();
    if (parent != dir) {
        if (auto made = create_directories_durable(parent); !made) {
            return made;
        }
    }
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return failure(errno_message(describe("create directory", dir), errno));
    }
    return sync_directory(parent.empty() ? stdfs::path(".") : parent);
}

Result<void> write_all(int fd, const void* data, std::size_t size, const stdfs::path& what) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t written = ::write(fd, bytes, size);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return failure(errno_message(describe("write", what), errno));
        }
        bytes += written;
        size -= static_cast<std::size_t>(written);
    }
    return {};
}

Result<void> pwrite_all(int fd, const void* data, std::size_t size, off_t offset,
                        const stdfs::path& what) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t written = ::pwrite(fd, bytes, size, offset);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return failure(errno_message(describe("write", what), written < 0 ? errno : ENOSPC));
        }
        bytes += written;
        offset += written;
        size -= static_cast<std::size_t>(written);
    }
    return {};
}

std::string unique_suffix() {
    static std::atomic<unsigned> counter{0};
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{}.{}.{:x}", ::getpid(), counter.fetch_add(1), rng() & 0xffffffffu);
}

Result<void> write_file_atomic(const stdfs::path& target, std::string_view data,
                               const stdfs::path& tmp_dir, unsigned mode) {
    const stdfs::path dir = tmp_dir.empty() ? target.parent_path() : tmp_dir;
    const stdfs::path tmp =
        dir / fmt::format(".{}.{}.tmp", target.filename().string().substr(0, 64), unique_suffix());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd) {
        return failure(errno_message(describe("create", tmp), errno));
    }
    auto result = write_all(fd.get(), data.data(), data.size(), tmp)
                      .and_then([&] { return sync_fd(fd.get(), tmp); })
                      .and_then([&]() -> Result<void> {
                          fd.reset();
                          return rename_durable(tmp, target);
                      });
    if (!result) {
        ::unlink(tmp.c_str());
    }
    return result;
}

Result<void> rename_durable(const stdfs::path& from, const stdfs::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        return failure(errno_message(
            fmt::format("cannot rename {} to {}", from.string(), to.string()), errno));
    }
    auto to_dir = to.parent_path();
    auto from_dir = from.parent_path();
    return sync_directory(to_dir.empty() ? "." : to_dir).and_then([&]() -> Result<void> {
        if (from_dir != to_dir) {
            return sync_directory(from_dir.empty() ? "." : from_dir);
        }
        return {};
    });
}

Result<void> remove_durable(const stdfs::path& path) {
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) {
            return {};
        }
        return failure(errno_message(describe("remove", path), errno));
    }
    const auto dir = path.parent_path();
    return sync_directory(dir.empty() ? "." : dir);
}

Result<std::string> read_all(int fd, const stdfs::path& path, std::size_t max_size) {
    std::string content;
    char buffer[65536];
    while (true) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return failure(errno_message(describe("read", path), errno));
        }
        if (got == 0) {
            break;
        }
        if (content.size() + static_cast<std::size_t>(got) > max_size) {
            return failure(fmt::format("{} is larger than {} bytes", path.string(), max_size));
        }
        content.append(buffer, static_cast<std::size_t>(got));
    }
    return content;
}

Result<std::string> read_file(const stdfs::path& path, std::size_t max_size, bool follow_symlinks) {
    auto fd = open_for_reading(path, follow_symlinks);
    if (!fd) {
        return failure(fd.error());
    }
    return read_all(fd->get(), path, max_size);
}

Result<UniqueFd> open_beneath(const stdfs::path& root, std::string_view relative, int* os_error) {
    const stdfs::path shown = root / relative;
    const auto fail = [&](int error, std::string message) {
        if (os_error != nullptr) {
            *os_error = error;
        }
        return failure(std::move(message));
    };
    UniqueFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
        return fail(errno, errno_message(describe("open", root), errno));
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = relative.find('/', start);
        const std::string component(relative.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (component.empty() || component == "." || component == "..") {
            return fail(EINVAL, fmt::format("refusing to open {}: the path must stay below {}",
                                            shown.string(), root.string()));
        }
        const bool last = slash == std::string_view::npos;
        const int flags = last ? O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
                               : O_RDONLY | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC;
        UniqueFd next(::openat(dir.get(), component.c_str(), flags));
        if (!next) {
            const int error = errno;
            if (error == ELOOP || (error == ENOTDIR && !last)) {
                return fail(ELOOP, fmt::format("refusing to open {}: {} is a symlink or not a "
                                               "folder (modelvaultd does not follow symlinks in "
                                               "watched folders)",
                                               shown.string(), component));
            }
            return fail(error, errno_message(describe("open", shown), error));
        }
        if (last) {
            struct stat st {};
            if (::fstat(next.get(), &st) != 0) {
                return fail(errno, errno_message(describe("stat", shown), errno));
            }
            if (!S_ISREG(st.st_mode)) {
                return fail(EINVAL, fmt::format("{} is not a regular file", shown.string()));
            }
            // Back to blocking reads for a regular file (O_NONBLOCK only guarded the open).
            ::fcntl(next.get(), F_SETFL, ::fcntl(next.get(), F_GETFL) & ~O_NONBLOCK);
            return next;
        }
        dir = std::move(next);
        start = slash + 1;
    }
}

Result<std::string> read_file_beneath(const stdfs::path& root, std::string_view relative,
                                      std::size_t max_size) {
    auto fd = open_beneath(root, relative);
    if (!fd) {
        return failure(fd.error());
    }
    return read_all(fd->get(), root / relative, max_size);
}

Result<UniqueFd> open_for_reading(const stdfs::path& path, bool follow_symlinks) {
    const int flags =
        O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (follow_symlinks ? 0 : O_NOFOLLOW);
    UniqueFd fd(::open(path.c_str(), flags));
    if (!fd) {
        if (errno == ELOOP && !follow_symlinks) {
            return failure(fmt::format("refusing to open {}: it is a symlink", path.string()));
        }
        return failure(errno_message(describe("open", path), errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return failure(errno_message(describe("stat", path), errno));
    }
    if (S_ISDIR(st.st_mode)) {
        return failure(errno_message(describe("read", path), EISDIR));
    }
    if (!S_ISREG(st.st_mode)) {
        return failure(fmt::format("refusing to read {}: it is {}, not a regular file",
                                   path.string(), file_kind(st.st_mode)));
    }
    // Back to blocking reads for a regular file (O_NONBLOCK only guarded the open).
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    return fd;
}

const char* file_kind(unsigned mode) {
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a folder";
    case S_IFIFO:
        return "a FIFO";
    case S_IFSOCK:
        return "a socket";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFLNK:
        return "a symlink";
    default:
        return "a special file";
    }
}

} // namespace mv::fs
