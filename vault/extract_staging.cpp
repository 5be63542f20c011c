#include "vault/extract_staging.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/escape.hpp"
#include "util/fs.hpp"
#include "vault/extract.hpp"

namespace mv::vault {

ErrorCode local_code(int error) {
    return error == EACCES || error == EPERM ? ErrorCode::io : code_for_errno(error);
}

TargetFolder::TargetFolder(const std::filesystem::path& target) {
    const auto missing = [](const std::filesystem::path& dir) {
        struct stat st {};
        return ::lstat(dir.c_str(), &st) != 0 && errno == ENOENT;
    };
    for (auto dir = target; !dir.empty() && dir != dir.parent_path() && missing(dir);
         dir = dir.parent_path()) {
        m_made.push_back(dir);
    }
    value_or_throw(fs::create_directories_durable(target),
                   fmt::format("cannot create the folder {}: ", target.string()), ErrorCode::io);
    m_fd.reset(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!m_fd) {
        throw Error(errno_message(fmt::format("cannot open the folder {}", target.string()), errno),
                    local_code(errno));
    }
    if (::faccessat(m_fd.get(), ".", W_OK, AT_EACCESS) != 0) {
        // The caller adds what to do: restore and rollback have different ways out.
        throw TargetNotWritable(
            fmt::format("you may not write to the folder {} (Permission denied)", target.string()),
            ErrorCode::io);
    }
}

TargetFolder::~TargetFolder() {
    if (m_keep) {
        return;
    }
    m_fd.reset();
    for (const auto& dir : m_made) {
        ::rmdir(dir.c_str());
    }
}

Staging::~Staging() {
    if (m_committed) {
        return;
    }
    for (const auto& [dir_fd, name] : m_temp_files) {
        ::unlinkat(dir_fd->get(), name.c_str(), 0);
    }
    for (auto it = m_created_dirs.rbegin(); it != m_created_dirs.rend(); ++it) {
        ::unlinkat(it->first->get(), it->second.c_str(), AT_REMOVEDIR);
    }
}

std::shared_ptr<UniqueFd> Staging::open_dir(const std::vector<std::string>& components,
                                            const std::string& shown) {
    auto current = std::make_shared<UniqueFd>(::dup(m_root));
    for (const auto& component : components) {
        UniqueFd next(::openat(current->get(), component.c_str(),
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next && errno == ENOENT) {
            if (::mkdirat(current->get(), component.c_str(), 0755) != 0) {
                throw Error(errno_message(fmt::format("cannot create folder for {}", shown), errno),
                            local_code(errno));
            }
            m_created_dirs.emplace_back(current, component);
            next.reset(::openat(current->get(), component.c_str(),
                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        }
        if (!next) {
            const bool not_a_folder = errno == ELOOP || errno == ENOTDIR;
            throw Error(
                not_a_folder
                    ? fmt::format("refusing to extract {}: {} in the target is not a "
                                  "plain folder (a symlink or a file)",
                                  shown, escape_name(component))
                    : errno_message(fmt::format("cannot open the folder for {}", shown), errno),
                not_a_folder ? ErrorCode::conflict : local_code(errno));
        }
        current = std::make_shared<UniqueFd>(std::move(next));
    }
    return current;
}

void Staging::add_temp(std::shared_ptr<UniqueFd> dir, std::string name) {
    m_temp_files.emplace_back(std::move(dir), std::move(name));
}

} // namespace mv::vault
