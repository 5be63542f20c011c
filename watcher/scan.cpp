#include "watcher/scan.hpp"

#include <algorithm>
#include <filesystem>
#include <sys/stat.h>
#include <system_error>
#include <tuple>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/error.hpp"
#include "util/escape.hpp"
#include "watcher/filter.hpp"

namespace mv::watcher {

namespace stdfs = std::filesystem;

namespace {

// Reads one directory. Subdirectories go to `subdirs`, regular files to `on_file`; anything
// else (symlinks, sockets, devices) is not a model file and is skipped.
Result<void> read_directory(const config::Watch& watch, const std::string& relative_dir,
                            std::vector<std::string>& subdirs, const FileVisitor& on_file) {
    const auto full = relative_dir.empty() ? watch.path : watch.path / relative_dir;
    std::error_code error;
    stdfs::directory_iterator it(full, error);
    if (error) {
        return failure(fmt::format("cannot read directory {}: {}", escape_name(full.native()),
                                   error.message()));
    }
    for (; it != stdfs::directory_iterator(); it.increment(error)) {
        const auto relative = join_relative(relative_dir, it->path().filename().native());
        std::error_code status_error;
        const auto status = it->symlink_status(status_error);
        if (status_error) {
            continue; // vanished between readdir and lstat
        }
        const bool regular = stdfs::is_regular_file(status);
        if (is_excluded(watch, relative) && !(regular && is_completion_file(relative))) {
            continue;
        }
        if (stdfs::is_directory(status)) {
            subdirs.push_back(relative);
        } else if (regular && on_file) {
            on_file(relative);
        }
    }
    if (error) {
        return failure(fmt::format("cannot read directory {}: {}", escape_name(full.native()),
                                   error.message()));
    }
    return {};
}

bool root_is_directory(const config::Watch& watch) {
    std::error_code error;
    return stdfs::is_directory(watch.path, error);
}

} // namespace

Result<void> walk_tree(const config::Watch& watch, const std::string& start, Recursion recursion,
                       const DirectoryVisitor& on_directory, const FileVisitor& on_file) {
    std::vector<std::string> pending{start};
    bool first = true;
    while (!pending.empty()) {
        const std::string dir = std::move(pending.back());
        pending.pop_back();
        if (on_directory && !on_directory(dir)) {
            first = false;
            continue;
        }
        std::vector<std::string> subdirs;
        auto read = read_directory(watch, dir, subdirs, on_file);
        if (!read) {
            if (first) {
                return read;
            }
            // One unreadable folder must not hide the rest of the tree.
            spdlog::warn("watch {}: {}; skipping it", watch.name, read.error());
        }
        first = false;
        if (recursion == Recursion::yes) {
            // Reversed so that the depth-first walk visits siblings in directory order.
            pending.insert(pending.end(), subdirs.rbegin(), subdirs.rend());
        }
    }
    return {};
}

std::vector<std::string> list_models(const config::Watch& watch) {
    if (!root_is_directory(watch)) {
        return {};
    }
    if (watch.layout == config::Layout::directory) {
        return {""};
    }
    std::vector<std::string> models;
    auto walked = walk_tree(watch, "", watch.recursive ? Recursion::yes : Recursion::no, nullptr,
                            [&](const std::string& file) {
                                if (is_model_file(watch, file) &&
                                    classify(watch, file, false).role == SeriesRole::none) {
                                    models.push_back(file);
                                }
                            });
    value_or_throw(std::move(walked), fmt::format("watch {}: ", watch.name));
    std::sort(models.begin(), models.end());
    return models;
}

std::vector<std::string> list_model_files(const config::Watch& watch, const std::string& model) {
    if (watch.layout == config::Layout::files) {
        // The model is one regular file, matched by the filters; a path that is gone, a
        // symlink or anything else has no files (the owner skips it).
        struct stat st {};
        if (model.empty() || !is_model_file(watch, model) ||
            classify(watch, model, false).role != SeriesRole::none ||
            ::lstat((watch.path / model).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            return {};
        }
        return {model};
    }
    if (!model.empty()) {
        return {}; // a directory-layout watch has exactly one model: the watch itself
    }
    std::vector<std::string> files;
    if (!root_is_directory(watch)) {
        return files;
    }
    // The whole tree is the model, whatever `recursive` says.
    auto walked = walk_tree(watch, "", Recursion::yes, nullptr,
                            [&](const std::string& file) { files.push_back(file); });
    value_or_throw(std::move(walked), fmt::format("watch {}: ", watch.name));
    std::sort(files.begin(), files.end());
    return files;
}

namespace {

std::int64_t mtime_of(const config::Watch& watch, const std::string& relative) {
    struct stat st {};
    if (::lstat((watch.path / relative).c_str(), &st) != 0) {
        return 0;
    }
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

} // namespace

std::vector<CheckpointRef> list_checkpoints(const config::Watch& watch) {
    std::vector<CheckpointRef> found;
    if (!watch.checkpoints || !root_is_directory(watch)) {
        return found;
    }
    auto walked = walk_tree(watch, "", Recursion::yes, nullptr, [&](const std::string& file) {
        auto path = classify(watch, file, false);
        if (path.role != SeriesRole::none &&
            std::none_of(found.begin(), found.end(), [&](const CheckpointRef& known) {
                return known.member == path.checkpoint.member;
            })) {
            found.push_back(std::move(path.checkpoint));
        }
    });
    value_or_throw(std::move(walked), fmt::format("watch {}: ", watch.name));
    std::vector<std::pair<std::int64_t, CheckpointRef>> timed;
    for (auto& ref : found) {
        timed.emplace_back(mtime_of(watch, ref.member), std::move(ref));
    }
    // Versions are numbered in the order they are made: make them in step order.
    std::sort(timed.begin(), timed.end(), [](const auto& a, const auto& b) {
        const auto key = [](const auto& item) {
            const CheckpointRef& ref = item.second;
            return std::tuple(ref.model(), ref.step.value_or(-1), ref.epoch.value_or(-1),
                              item.first, ref.member);
        };
        return key(a) < key(b);
    });
    std::vector<CheckpointRef> sorted;
    for (auto& [time, ref] : timed) {
        sorted.push_back(std::move(ref));
    }
    return sorted;
}

std::vector<std::pair<CheckpointRef, std::int64_t>>
series_neighbours(const config::Watch& watch, const CheckpointRef& checkpoint) {
    std::vector<std::pair<CheckpointRef, std::int64_t>> found;
    const auto full = checkpoint.dir.empty() ? watch.path : watch.path / checkpoint.dir;
    std::error_code error;
    for (stdfs::directory_iterator it(full, error); !error && it != stdfs::directory_iterator();
         it.increment(error)) {
        const auto relative = join_relative(checkpoint.dir, it->path().filename().native());
        std::error_code status_error;
        const auto status = it->symlink_status(status_error);
        if (status_error || is_excluded(watch, relative)) {
            continue;
        }
        const bool folder = stdfs::is_directory(status);
        auto path = classify(watch, relative, folder);
        if (path.role != SeriesRole::none && path.checkpoint.member == relative &&
            path.checkpoint.model() == checkpoint.model()) {
            found.emplace_back(std::move(path.checkpoint), mtime_of(watch, relative));
        }
    }
    return found;
}

bool is_newest(const config::Watch& watch, const CheckpointRef& checkpoint) {
    const auto neighbours = series_neighbours(watch, checkpoint);
    std::int64_t own = 0;
    for (const auto& [ref, mtime] : neighbours) {
        if (ref.member == checkpoint.member) {
            own = mtime;
        }
    }
    return std::none_of(neighbours.begin(), neighbours.end(), [&](const auto& other) {
        const CheckpointRef& ref = other.first;
        if (ref.member == checkpoint.member) {
            return false;
        }
        if (ref.step && checkpoint.step) {
            return *ref.step > *checkpoint.step;
        }
        return other.second > own;
    });
}

std::optional<CheckpointRef> checkpoint_at(const config::Watch& watch, const std::string& member) {
    struct stat st {};
    if (member.empty() || ::lstat((watch.path / member).c_str(), &st) != 0 ||
        !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
        return std::nullopt;
    }
    auto path = classify(watch, member, S_ISDIR(st.st_mode));
    if (path.role != SeriesRole::member) {
        return std::nullopt;
    }
    return path.checkpoint;
}

std::vector<std::string> list_checkpoint_files(const config::Watch& watch,
                                               const CheckpointRef& checkpoint) {
    std::vector<std::string> files;
    const auto belongs = [&](const std::string& file) {
        const auto path = classify(watch, file, false);
        return path.role != SeriesRole::none && path.checkpoint.member == checkpoint.member;
    };
    if (checkpoint.folder) {
        auto walked = walk_tree(watch, checkpoint.member, Recursion::yes, nullptr,
                                [&](const std::string& file) { files.push_back(file); });
        if (!walked) {
            return {}; // gone (a rotation) or unreadable: nothing to store
        }
    } else {
        // The file itself, and what was saved with it in the same folder.
        (void)walk_tree(watch, checkpoint.dir, Recursion::no, nullptr,
                        [&](const std::string& file) {
                            if (belongs(file)) {
                                files.push_back(file);
                            }
                        });
        if (std::find(files.begin(), files.end(), checkpoint.member) == files.end()) {
            return {};
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace mv::watcher
