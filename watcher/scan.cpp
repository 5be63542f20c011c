#include "watcher/scan.hpp"

#include <algorithm>
#include <filesystem>
#include <sys/stat.h>
#include <system_error>

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
                                if (is_model_file(watch, file)) {
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

} // namespace mv::watcher
