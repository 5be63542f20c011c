#include "watcher/watcher.hpp"

#include <algorithm>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/escape.hpp"
#include "watcher/filter.hpp"
#include "watcher/series.hpp"
#include "watcher/watch_tree.hpp"

namespace mv::watcher {

namespace {

// Settings that decide which directories are watched and which files count: a change in
// any of them rebuilds the tree and asks for a rescan.
bool same_tree(const config::Watch& a, const config::Watch& b) {
    return a.path == b.path && a.layout == b.layout && a.recursive == b.recursive &&
           a.include == b.include && a.exclude == b.exclude && a.checkpoints == b.checkpoints;
}

bool is_symlink_entry(const std::filesystem::path& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

constexpr std::uint32_t k_self_gone = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT;

} // namespace

const char* to_string(WatchState state) {
    switch (state) {
    case WatchState::watching:
        return "watching";
    case WatchState::missing:
        return "missing";
    case WatchState::error:
        return "error";
    }
    return "error";
}

const char* to_string(Change::Kind kind) {
    return kind == Change::Kind::settled ? "settled" : "rescan";
}

Watcher::Watcher(EventSource& source) : m_source(source) {}

Watcher::~Watcher() = default;

void Watcher::configure(std::vector<config::Watch> watches, SteadyTime now) {
    // Slot i of `next` is the tree of the i-th watch: kept as is, or null when it must be
    // (re)built from `to_start[i]`.
    std::vector<std::unique_ptr<WatchTree>> next;
    std::vector<std::optional<config::Watch>> to_start;
    std::vector<std::string> names;
    for (auto& watch : watches) {
        if (std::find(names.begin(), names.end(), watch.name) != names.end()) {
            spdlog::warn("watch {}: configured twice; using the first", watch.name);
            continue;
        }
        names.push_back(watch.name);
        auto it = std::find_if(m_trees.begin(), m_trees.end(), [&](const auto& tree) {
            return tree && tree->config().name == watch.name;
        });
        // A series watch also skips the frameworks' temporary names (watcher/series.hpp).
        watch = with_series_excludes(std::move(watch));
        if (it != m_trees.end() && same_tree((*it)->config(), watch)) {
            (*it)->update_config(std::move(watch));
            next.push_back(std::move(*it));
            to_start.emplace_back();
        } else {
            next.push_back(nullptr);
            to_start.emplace_back(std::move(watch));
        }
    }
    // Take apart what goes away or changes shape before building anything, so that a
    // re-created watch does not see its predecessor release a descriptor they share.
    for (auto& tree : m_trees) {
        if (tree) {
            m_settler.forget_watch(tree->config().name);
            m_rescans.erase(tree->config().name);
            tree.reset();
        }
    }
    for (std::size_t i = 0; i < next.size(); ++i) {
        if (next[i]) {
            continue;
        }
        next[i] = std::make_unique<WatchTree>(std::move(*to_start[i]), m_source, m_owners);
        if (next[i]->start(now)) {
            request_rescan(next[i]->config().name, now);
        }
    }
    m_trees = std::move(next);
}

void Watcher::process_events(SteadyTime now) {
    for (const auto& event : m_source.read_events()) {
        apply(event, now);
    }
}

void Watcher::poll(SteadyTime now) {
    for (auto& tree : m_trees) {
        switch (tree->state()) {
        case WatchState::missing:
            if (tree->start(now)) {
                request_rescan(tree->config().name, now);
            }
            break;
        case WatchState::error:
            if (tree->retry_due(now)) {
                restart(*tree, now);
            }
            break;
        case WatchState::watching:
            // A rename of a parent of the root sends no event to the root's own watch.
            if (tree->root_replaced()) {
                spdlog::info("watch {}: {} now leads to another directory; starting over",
                             tree->config().name, escape_name(tree->config().path.native()));
                restart(*tree, now);
            }
            break;
        }
    }
}

std::vector<Change> Watcher::take_changes(SteadyTime now) {
    std::vector<Change> changes;
    for (auto it = m_rescans.begin(); it != m_rescans.end();) {
        if (it->second <= now) {
            changes.push_back({Change::Kind::rescan, it->first, ""});
            it = m_rescans.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& key : m_settler.take_ready(now)) {
        changes.push_back({Change::Kind::settled, std::move(key.watch), std::move(key.model)});
    }
    return changes;
}

std::optional<SteadyTime> Watcher::next_deadline() const {
    auto earliest = m_settler.next_deadline();
    for (const auto& [watch, at] : m_rescans) {
        if (!earliest || at < *earliest) {
            earliest = at;
        }
    }
    return earliest;
}

std::vector<WatchStatus> Watcher::status() const {
    std::vector<WatchStatus> result;
    result.reserve(m_trees.size());
    for (const auto& tree : m_trees) {
        const auto& config = tree->config();
        result.push_back({config.name, config.path, tree->state(), tree->message(),
                          tree->directories(), m_settler.pending(config.name)});
    }
    return result;
}

WatchTree* Watcher::find(const std::string& name) const {
    const auto it = std::find_if(m_trees.begin(), m_trees.end(),
                                 [&](const auto& tree) { return tree->config().name == name; });
    return it == m_trees.end() ? nullptr : it->get();
}

void Watcher::apply(const RawEvent& event, SteadyTime now) {
    if ((event.mask & IN_Q_OVERFLOW) != 0) {
        // Events were lost: directories may have appeared unwatched, files changed unseen.
        spdlog::warn("inotify queue overflowed; rescanning every watch");
        for (auto& tree : m_trees) {
            if (tree->state() == WatchState::watching && tree->resync(now)) {
                request_rescan(tree->config().name, now);
            }
        }
        return;
    }
    for (const auto& name : m_owners.owners(event.wd)) {
        if (auto* tree = find(name)) {
            apply_to(*tree, event, now);
        }
    }
}

void Watcher::apply_to(WatchTree& tree, const RawEvent& event, SteadyTime now) {
    const auto dir = tree.directory_of(event.wd);
    if (!dir) {
        return; // a descriptor released while its events were queued
    }
    if ((event.mask & k_self_gone) != 0) {
        if (dir->empty()) {
            lose_root(tree, now);
        } else if ((event.mask & IN_IGNORED) != 0) {
            tree.forget(event.wd);
        }
        // A subdirectory's own DELETE_SELF / MOVE_SELF needs nothing: its parent reported
        // IN_DELETE / IN_MOVED_FROM, which already took the subtree apart.
        return;
    }
    if (event.name.empty()) {
        return;
    }
    const auto path = join_relative(*dir, event.name);
    if (spdlog::should_log(spdlog::level::debug)) {
        spdlog::debug("watch {}: inotify {:#x} {}", tree.config().name, event.mask,
                      escape_name(path));
    }
    if (is_excluded(tree.config(), path) &&
        ((event.mask & IN_ISDIR) != 0 || !is_completion_file(path))) {
        return;
    }
    if ((event.mask & IN_ISDIR) != 0) {
        directory_event(tree, path, event.mask, now);
    } else {
        file_event(tree, path, event.mask, now);
    }
}

void Watcher::directory_event(WatchTree& tree, const std::string& path, std::uint32_t mask,
                              SteadyTime now) {
    const auto& config = tree.config();
    const bool whole_tree = config.layout == config::Layout::directory;
    const ModelKey tree_key{config.name, ""};
    if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0) {
        if (!tree.recursive()) {
            return;
        }
        // Files may already be inside (mkdir -p a/b && write, or a folder moved in): they
        // count as written and settle like any other.
        tree.add_subtree(
            path, [&](const std::string& file) { file_found(tree, file, now); }, now);
        if (whole_tree) {
            m_settler.touched(tree_key, now, config.settle);
        }
    } else if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) {
        tree.remove_subtree(path);
        if (whole_tree) {
            m_settler.removed(tree_key, path, now, config.settle);
        } else {
            m_settler.cancel_within(config.name, path);
        }
    }
}

bool Watcher::series_event(const WatchTree& tree, const std::string& path, std::uint32_t mask,
                           SteadyTime now) {
    const auto& config = tree.config();
    const auto found = classify(config, path, (mask & IN_ISDIR) != 0);
    if (found.role == SeriesRole::none) {
        return false;
    }
    const ModelKey key{config.name, found.checkpoint.member};
    if (found.role == SeriesRole::member && !found.checkpoint.folder) {
        // A checkpoint file settles like any model file.
        if ((mask & IN_CLOSE_WRITE) != 0 ||
            ((mask & IN_MOVED_TO) != 0 && !is_symlink_entry(config.path / path))) {
            m_settler.written(key, path, now, config.settle);
        } else if ((mask & IN_MODIFY) != 0) {
            m_settler.modified(key, path, now, config.settle);
        } else if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) {
            m_settler.cancel(key); // rotated away: what was stored stays in the vault
        }
        return true;
    }
    // A file inside a folder checkpoint (or saved with a file checkpoint) settles the
    // checkpoint as a whole. Deletions do not: a framework's rotation deletes a finished
    // checkpoint piece by piece, and that is no new version.
    if ((mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) != 0) {
        m_settler.written(key, path, now, config.settle);
    } else if ((mask & IN_MODIFY) != 0) {
        m_settler.modified(key, path, now, config.settle);
    } else {
        m_settler.touched(key, now, config.settle);
    }
    return true;
}

void Watcher::file_event(WatchTree& tree, const std::string& path, std::uint32_t mask,
                         SteadyTime now) {
    const auto& config = tree.config();
    if (config.checkpoints && series_event(tree, path, mask, now)) {
        return;
    }
    if (config.layout == config::Layout::directory) {
        // Anything under the tree changes the one model.
        const ModelKey key{config.name, ""};
        if ((mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) != 0) {
            m_settler.written(key, path, now, config.settle);
        } else if ((mask & IN_MODIFY) != 0) {
            m_settler.modified(key, path, now, config.settle);
        } else if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) {
            m_settler.removed(key, path, now, config.settle);
        } else if ((mask & IN_CREATE) != 0) {
            m_settler.touched(key, now, config.settle);
        }
        return;
    }
    if (!is_model_file(config, path)) {
        return;
    }
    const ModelKey key{config.name, path};
    if ((mask & IN_CLOSE_WRITE) != 0) {
        m_settler.written(key, path, now, config.settle);
    } else if ((mask & IN_MOVED_TO) != 0) {
        if (!is_symlink_entry(config.path / path)) { // symlinks are not models
            m_settler.written(key, path, now, config.settle);
        }
    } else if ((mask & IN_MODIFY) != 0) {
        m_settler.modified(key, path, now, config.settle);
    } else if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) {
        m_settler.cancel(key);
    }
    // IN_CREATE alone says nothing: the close that follows does.
}

void Watcher::file_found(const WatchTree& tree, const std::string& path, SteadyTime now) {
    const auto& config = tree.config();
    if (config.checkpoints && series_event(tree, path, IN_CLOSE_WRITE, now)) {
        return;
    }
    if (config.layout == config::Layout::directory) {
        m_settler.written({config.name, ""}, path, now, config.settle);
    } else if (is_model_file(config, path)) {
        m_settler.written({config.name, path}, path, now, config.settle);
    }
}

void Watcher::restart(WatchTree& tree, SteadyTime now) {
    m_settler.forget_watch(tree.config().name);
    m_rescans.erase(tree.config().name);
    if (tree.start(now)) {
        request_rescan(tree.config().name, now);
    }
}

void Watcher::lose_root(WatchTree& tree, SteadyTime now) {
    const auto& config = tree.config();
    m_settler.forget_watch(config.name);
    m_rescans.erase(config.name);
    tree.stop(WatchState::missing,
              fmt::format("{} was deleted or moved away", escape_name(config.path.native())), now);
}

void Watcher::request_rescan(const std::string& watch, SteadyTime now) {
    m_rescans.try_emplace(watch, now);
}

} // namespace mv::watcher
