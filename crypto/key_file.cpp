#include "crypto/key_file.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "crypto/hex.hpp"
#include "crypto/random.hpp"
#include "util/fd.hpp"
#include "util/fs.hpp"

namespace mv::crypto {

namespace {

constexpr std::size_t k_max_passphrase = 1024;

bool all_printable(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string open_failure(const std::filesystem::path& file, int error) {
    switch (error) {
    case ENOENT:
        return fmt::format("key file {} does not exist: make one with `modelvaultctl key init "
                           "{}`, or give the path of the vault's key file",
                           file.string(), file.string());
    case EACCES:
    case EPERM:
        return fmt::format("cannot read key file {}: permission denied; make it readable by "
                           "the user that opens the vault (for modelvaultd: chown modelvault "
                           "{} && chmod 0400 {})",
                           file.string(), file.string(), file.string());
    default:
        return errno_message(fmt::format("cannot read key file {}", file.string()), error);
    }
}

std::string permission_warning(const std::filesystem::path& file, mode_t mode) {
    return fmt::format("key file {} may be {} by users other than its owner (mode {:04o}): "
                       "anyone who reads it can decrypt the vault; run chmod 0400 {}",
                       file.string(), (mode & 0022) != 0 ? "written" : "read", mode & 07777,
                       file.string());
}

} // namespace

const char* to_string(UserKeyKind kind) {
    return kind == UserKeyKind::random ? "key file" : "passphrase file";
}

Result<UserKey> parse_user_key(std::string content, const std::filesystem::path& file) {
    UserKey key;
    key.file = file;
    std::string_view text = content;
    if (text.size() == k_key_size && !all_printable(text)) {
        std::copy(text.begin(), text.end(), key.random.mutable_bytes().begin());
        wipe(content);
        return key;
    }
    if (text.ends_with('\n')) {
        text.remove_suffix(text.ends_with("\r\n") ? 2 : 1);
    }
    if (text.size() == 2 * k_key_size) {
        if (auto bytes = from_hex(text)) {
            std::copy(bytes->begin(), bytes->end(), key.random.mutable_bytes().begin());
            std::fill(bytes->begin(), bytes->end(), 0);
            wipe(content);
            return key;
        }
    }
    if (text.empty()) {
        return failure(fmt::format("key file {} is empty: it holds no key; make one with "
                                   "`modelvaultctl key init FILE`, or write a passphrase in it",
                                   file.string()));
    }
    if (text.size() > k_max_passphrase) {
        return failure(fmt::format("key file {} holds {} bytes: it is neither a key (32 bytes, "
                                   "or 64 hex digits) nor a passphrase (at most {} bytes)",
                                   file.string(), content.size(), k_max_passphrase));
    }
    key.kind = UserKeyKind::passphrase;
    key.passphrase.assign(text);
    wipe(content);
    return key;
}

Result<UserKey> read_user_key(const std::filesystem::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd) {
        return failure(open_failure(file, errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return failure(open_failure(file, errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return failure(fmt::format("key file {} is {}, not a regular file: give the path of "
                                   "the key file itself",
                                   file.string(), fs::file_kind(st.st_mode)));
    }
    if (st.st_size > static_cast<off_t>(4 * k_max_passphrase)) {
        return failure(fmt::format("key file {} holds {} bytes: it is neither a key (32 bytes, "
                                   "or 64 hex digits) nor a passphrase (at most {} bytes)",
                                   file.string(), st.st_size, k_max_passphrase));
    }
    std::string content(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t got = ::read(fd.get(), content.data() + done, content.size() - done);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            const int error = got < 0 ? errno : EIO;
            wipe(content);
            return failure(open_failure(file, error));
        }
        done += static_cast<std::size_t>(got);
    }
    auto key = parse_user_key(std::move(content), file);
    if (key && (st.st_mode & 0077) != 0) {
        key->warnings.push_back(permission_warning(file, st.st_mode));
    }
    return key;
}

Result<void> create_key_file(const std::filesystem::path& file) {
    const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    const auto tmp = dir / fmt::format(".{}.{}.tmp", file.filename().string(), fs::unique_suffix());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400));
    if (!fd) {
        return failure(
            errno_message(fmt::format("cannot create a key file in {}", dir.string()), errno));
    }
    const Key key = random_key();
    std::string text = to_hex(key.bytes()) + "\n";
    auto written = fs::write_all(fd.get(), text.data(), text.size(), tmp).and_then([&] {
        return fs::sync_fd(fd.get(), tmp);
    });
    wipe(text);
    fd.reset();
    // link(2) refuses an existing target, so an existing key is never replaced.
    if (written && ::link(tmp.c_str(), file.c_str()) != 0) {
        const int error = errno;
        written = failure(
            error == EEXIST ? fmt::format("{} already exists: a key file is never replaced "
                                          "(it may be the only way into a vault); choose "
                                          "another name",
                                          file.string())
                            : errno_message(fmt::format("cannot create {}", file.string()), error));
    }
    ::unlink(tmp.c_str());
    if (!written) {
        return written;
    }
    return fs::sync_directory(dir);
}

} // namespace mv::crypto
