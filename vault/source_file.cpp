#include "vault/source_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/escape.hpp"
#include "util/fs.hpp"
#include "util/time.hpp"

namespace mv::vault {

namespace {

bool same_file_state(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
           to_ns(a.st_mtim) == to_ns(b.st_mtim) && to_ns(a.st_ctim) == to_ns(b.st_ctim);
}

} // namespace

std::int64_t to_ns(const struct timespec& ts) {
    return saturating_ns(ts.tv_sec, ts.tv_nsec);
}

OpenSource open_source(const SourceFile& source) {
    const bool given = source.descriptor && *source.descriptor;
    OpenSource opened;
    opened.shown = escape_name(given ? source.stored_as : (source.root / source.relative).string());
    if (given) {
        opened.fd.reset(::dup(source.descriptor->get()));
        if (!opened.fd || ::lseek(opened.fd.get(), 0, SEEK_SET) < 0) {
            throw Error(errno_message(fmt::format("cannot read {}", opened.shown), errno));
        }
    } else {
        int open_error = 0;
        auto fd = fs::open_beneath(source.root, source.relative, &open_error);
        if (!fd) {
            throw Error(fd.error(), open_error == ENOENT ? ErrorCode::not_found
                                    : open_error == ELOOP || open_error == EINVAL
                                        ? ErrorCode::invalid_argument
                                        : code_for_errno(open_error));
        }
        opened.fd = std::move(*fd);
    }
    if (::fstat(opened.fd.get(), &opened.before) != 0) {
        throw Error(errno_message(fmt::format("cannot stat {}", opened.shown), errno));
    }
    if (!S_ISREG(opened.before.st_mode)) {
        throw Error(fmt::format("{} is not a regular file", opened.shown),
                    ErrorCode::invalid_argument);
    }
    const struct stat& st = opened.before;
    if (const auto& expected = source.expected;
        expected &&
        (expected->device != st.st_dev || expected->inode != st.st_ino ||
         expected->size != static_cast<std::uint64_t>(st.st_size) ||
         expected->mtime_ns != to_ns(st.st_mtim) || expected->ctime_ns != to_ns(st.st_ctim))) {
        throw FileChangedError(fmt::format("{} changed after it was found quiet", opened.shown));
    }
    ::posix_fadvise(opened.fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    return opened;
}

void check_unchanged(const SourceFile& source, const OpenSource& opened) {
    struct stat after {};
    if (::fstat(opened.fd.get(), &after) != 0 || !same_file_state(opened.before, after)) {
        throw FileChangedError(fmt::format("{} changed while it was being read", opened.shown));
    }
    if (source.descriptor && *source.descriptor) {
        return;
    }
    // Still the same file at that path (not replaced by a rename)?
    struct stat at_path {};
    auto again = fs::open_beneath(source.root, source.relative);
    if (!again || ::fstat(again->get(), &at_path) != 0 || at_path.st_ino != opened.before.st_ino ||
        at_path.st_dev != opened.before.st_dev) {
        throw FileChangedError(
            fmt::format("{} was replaced or removed while it was being read", opened.shown));
    }
}

} // namespace mv::vault
