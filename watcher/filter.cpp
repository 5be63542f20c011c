#include "watcher/filter.hpp"

#include <fnmatch.h>
#include <string>

namespace mv::watcher {

namespace {

// fnmatch needs NUL-terminated strings; names cannot contain NUL, so a copy is exact.
bool glob_matches(const std::string& pattern, std::string_view text, int flags) {
    return ::fnmatch(pattern.c_str(), std::string(text).c_str(), flags) == 0;
}

bool has_slash(const std::string& pattern) {
    return pattern.find('/') != std::string::npos;
}

std::string_view file_name(std::string_view relative_path) {
    const auto slash = relative_path.rfind('/');
    return slash == std::string_view::npos ? relative_path : relative_path.substr(slash + 1);
}

bool excluded_by(const std::string& pattern, std::string_view relative_path) {
    // Walk the path one component at a time; `end` is the end of the current component.
    std::size_t start = 0;
    while (start <= relative_path.size()) {
        auto end = relative_path.find('/', start);
        if (end == std::string_view::npos) {
            end = relative_path.size();
        }
        if (has_slash(pattern)) {
            if (glob_matches(pattern, relative_path.substr(0, end), FNM_PATHNAME)) {
                return true;
            }
        } else if (glob_matches(pattern, relative_path.substr(start, end - start), 0)) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

} // namespace

bool is_excluded(const config::Watch& watch, std::string_view relative_path) {
    if (relative_path.empty()) {
        return false; // the root itself is never excluded
    }
    for (const auto& pattern : watch.exclude) {
        if (excluded_by(pattern, relative_path)) {
            return true;
        }
    }
    return false;
}

bool is_completion_file(std::string_view relative_path) {
    return file_name(relative_path) == ".metadata";
}

bool is_model_file(const config::Watch& watch, std::string_view relative_path) {
    if (relative_path.empty() || is_excluded(watch, relative_path)) {
        return false;
    }
    if (watch.include.empty()) {
        return true;
    }
    for (const auto& pattern : watch.include) {
        const bool matched = has_slash(pattern)
                                 ? glob_matches(pattern, relative_path, FNM_PATHNAME)
                                 : glob_matches(pattern, file_name(relative_path), 0);
        if (matched) {
            return true;
        }
    }
    return false;
}

std::string join_relative(std::string_view dir, std::string_view name) {
    std::string joined;
    joined.reserve(dir.size() + 1 + name.size());
    joined.append(dir);
    if (!dir.empty()) {
        joined.push_back('/');
    }
    joined.append(name);
    return joined;
}

bool is_within(std::string_view path, std::string_view dir) {
    if (dir.empty()) {
        return true;
    }
    return path.size() >= dir.size() && path.substr(0, dir.size()) == dir &&
           (path.size() == dir.size() || path[dir.size()] == '/');
}

} // namespace mv::watcher
