#include "watcher/watch_tree.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/error.hpp"
#include "util/escape.hpp"
#include "watcher/filter.hpp"

namespace mv::watcher {

std::uint32_t watch_mask() {
    // IN_EXCL_UNLINK: a writer's unlinked scratch file must not keep a model busy.
    return IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | IN_CREATE | IN_DELETE |
           IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;
}

WatchTree::WatchTree(config::Watch config, EventSource& source, WdOwners& owners)
    : m_config(std::move(config)), m_source(source), m_owners(owners) {}

WatchTree::~WatchTree() {
    remove_subtree("");
}

bool WatchTree::recursive() const {
    // A checkpoint series needs the checkpoints' own folders (Hugging Face, Orbax, DCP).
    return m_config.recursive || m_config.layout == config::Layout::directory ||
           m_config.checkpoints.has_value();
}

bool WatchTree::start(SteadyTime now) {
    remove_subtree("");
    const auto& path = m_config.path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR) {
            enter(WatchState::missing, fmt::format("{} does not exist", escape_name(path.native())),
                  now);
        } else {
            enter(WatchState::error,
                  errno_message(fmt::format("cannot stat {}", escape_name(path.native())), error),
                  now);
        }
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        enter(WatchState::missing, fmt::format("{} is not a directory", escape_name(path.native())),
              now);
        return false;
    }
    if (::faccessat(AT_FDCWD, path.c_str(), R_OK | X_OK, AT_EACCESS) != 0) {
        const int error = errno;
        enter(WatchState::error,
              errno_message(fmt::format("cannot read {}", escape_name(path.native())), error) +
                  ": grant the daemon's user read and execute permission on it",
              now);
        return false;
    }
    m_root_id = std::pair{st.st_dev, st.st_ino};
    if (!add_subtree("", nullptr, now)) {
        remove_subtree("");
        return false;
    }
    if (m_dirs.empty()) {
        // The root vanished between stat and add_watch; poll() will try again.
        enter(WatchState::missing, fmt::format("{} does not exist", escape_name(path.native())),
              now);
        return false;
    }
    m_state = WatchState::watching;
    spdlog::info("watch {}: watching {} ({} {})", m_config.name, escape_name(path.native()),
                 m_dirs.size(), m_dirs.size() == 1 ? "directory" : "directories");
    m_message.clear();
    return true;
}

void WatchTree::stop(WatchState state, std::string message, SteadyTime now) {
    remove_subtree("");
    m_root_id.reset();
    enter(state, std::move(message), now);
}

bool WatchTree::add_subtree(const std::string& relative_dir, const FileVisitor& on_file,
                            SteadyTime now) {
    m_pending_error.clear();
    auto on_directory = [this](const std::string& dir) {
        return m_pending_error.empty() && watch_directory(dir);
    };
    // The directory is watched before it is read, so a file created in between is seen
    // twice (harmless) rather than never.
    auto walked = walk_tree(m_config, relative_dir, recursive() ? Recursion::yes : Recursion::no,
                            on_directory, on_file);
    if (!walked && m_pending_error.empty() && relative_dir.empty()) {
        m_pending_error = walked.error();
    }
    if (!m_pending_error.empty()) {
        // Keep what is watched; the retry rebuilds the tree and the owner rescans.
        enter(WatchState::error, std::exchange(m_pending_error, {}), now);
        return false;
    }
    return true;
}

bool WatchTree::watch_directory(const std::string& relative_dir) {
    const auto full = relative_dir.empty() ? m_config.path : m_config.path / relative_dir;
    if (!relative_dir.empty() &&
        ::faccessat(AT_FDCWD, full.c_str(), R_OK | X_OK, AT_EACCESS) != 0) {
        const int error = errno;
        if (error != ENOENT) {
            spdlog::warn("watch {}: {}: skipping it; grant the daemon's user read and execute "
                         "permission to back up what it holds",
                         m_config.name, errno_message(escape_name(full.native()), error));
        }
        return false;
    }
    // Symlinks are never followed below the root (the root itself may be a symlink the
    // administrator configured on purpose).
    const auto mask = watch_mask() | (relative_dir.empty() ? 0u : std::uint32_t{IN_DONT_FOLLOW});
    auto wd = m_source.add_watch(full, mask);
    if (!wd) {
        struct stat st {};
        if (::lstat(full.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            return false; // it vanished or was replaced meanwhile: nothing to watch
        }
        m_pending_error = wd.error();
        return false;
    }
    const auto [it, inserted] = m_dirs.try_emplace(*wd, relative_dir);
    if (!inserted && it->second != relative_dir) {
        // The same directory under two names: a bind mount loop. Watch it once.
        spdlog::warn("watch {}: {} is the same directory as {}; not descending into it",
                     m_config.name, escape_name(full.native()),
                     escape_name((m_config.path / it->second).native()));
        return false;
    }
    m_owners.add(*wd, m_config.name);
    return true;
}

void WatchTree::remove_subtree(std::string_view relative_dir) {
    for (auto it = m_dirs.begin(); it != m_dirs.end();) {
        if (is_within(it->second, relative_dir)) {
            release(it->first);
            it = m_dirs.erase(it);
        } else {
            ++it;
        }
    }
}

void WatchTree::forget(int wd) {
    if (m_dirs.erase(wd) > 0) {
        m_owners.remove(wd, m_config.name);
    }
}

bool WatchTree::resync(SteadyTime now) {
    auto previous = std::move(m_dirs);
    m_dirs.clear();
    const bool complete = add_subtree("", nullptr, now);
    for (const auto& [wd, dir] : previous) {
        if (!m_dirs.contains(wd)) {
            release(wd);
        }
    }
    if (complete && m_dirs.empty()) {
        stop(WatchState::missing,
             fmt::format("{} does not exist", escape_name(m_config.path.native())), now);
        return false;
    }
    return complete;
}

std::optional<std::string> WatchTree::directory_of(int wd) const {
    const auto it = m_dirs.find(wd);
    return it == m_dirs.end() ? std::nullopt : std::optional<std::string>(it->second);
}

bool WatchTree::root_replaced() const {
    struct stat st {};
    if (!m_root_id || ::stat(m_config.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return true;
    }
    return std::pair{st.st_dev, st.st_ino} != *m_root_id;
}

void WatchTree::release(int wd) {
    if (m_owners.remove(wd, m_config.name)) {
        m_source.remove_watch(wd);
    }
}

void WatchTree::enter(WatchState state, std::string message, SteadyTime now) {
    // Log transitions only: a missing watch is polled every second.
    if (state != m_state || message != m_message) {
        if (state == WatchState::error) {
            spdlog::warn("watch {}: {}; retrying every {} s", m_config.name, message,
                         k_error_retry_interval.count());
        } else {
            spdlog::info("watch {}: {}; waiting for it to appear", m_config.name, message);
        }
    }
    m_state = state;
    m_message = std::move(message);
    m_retry_at = now + k_error_retry_interval;
}

} // namespace mv::watcher
