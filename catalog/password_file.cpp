#include "catalog/password_file.hpp"

#include <cerrno>
#include <sys/stat.h>

#include <fmt/format.h>

#include "util/fs.hpp"

namespace mv::catalog {

namespace {

constexpr std::size_t k_max_password_file = 4096;

} // namespace

Result<std::string> read_password_file(const std::filesystem::path& file) {
    auto fd = fs::open_for_reading(file);
    if (!fd) {
        return failure(fmt::format("cannot read the catalog's password file: {}; create it with "
                                   "the password on its first line, mode 0600 (docs/CONFIG.md, "
                                   "\"catalog\")",
                                   fd.error()));
    }
    struct stat status {};
    if (::fstat(fd->get(), &status) != 0) {
        return failure(errno_message(fmt::format("cannot inspect {}", file.string()), errno));
    }
    if ((status.st_mode & 077) != 0) {
        return failure(fmt::format("the catalog's password file {} may be read or changed by "
                                   "other users (mode {:04o}); run `chmod 600 {}` (and check "
                                   "who already read it)",
                                   file.string(), status.st_mode & 07777, file.string()));
    }
    auto text = fs::read_file(file, k_max_password_file);
    if (!text) {
        return failure(text.error());
    }
    std::string password = text->substr(0, text->find_first_of("\r\n"));
    if (password.empty()) {
        return failure(fmt::format("the catalog's password file {} is empty; write the "
                                   "database password on its first line",
                                   file.string()));
    }
    return password;
}

} // namespace mv::catalog
