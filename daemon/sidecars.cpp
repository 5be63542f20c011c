#include "daemon/sidecars.hpp"

#include <algorithm>
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <set>
#include <sys/stat.h>

#include <fmt/format.h>

#include "daemon/triggers.hpp"
#include "util/escape.hpp"
#include "util/fd.hpp"
#include "util/time.hpp"

namespace mv::daemon {

namespace {

// One component of a template with its placeholders filled in: `literal` is the name
// itself, `pattern` the fnmatch pattern with the filled-in values escaped, so that a
// model named "run[1].pkl" does not turn "{stem}.json" into a glob.
struct Component {
    std::string literal;
    std::string pattern;
    bool glob = false;
};

std::string escape_glob(const std::string& text) {
    std::string escaped;
    for (const char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
            escaped += '\\';
        }
        escaped += c;
    }
    return escaped;
}

std::vector<Component> components(const std::string& pattern, const std::string& stem,
                                  const std::string& name) {
    std::vector<Component> parts(1);
    for (std::size_t i = 0; i < pattern.size();) {
        const auto fill = [&](const std::string& value) {
            parts.back().literal += value;
            parts.back().pattern += escape_glob(value);
        };
        if (pattern.compare(i, 6, "{stem}") == 0) {
            fill(stem);
            i += 6;
        } else if (pattern.compare(i, 6, "{name}") == 0) {
            fill(name);
            i += 6;
        } else if (pattern[i] == '/') {
            parts.emplace_back();
            ++i;
        } else {
            const char c = pattern[i++];
            parts.back().glob = parts.back().glob || c == '*' || c == '?' || c == '[';
            parts.back().literal += c;
            parts.back().pattern += c;
        }
    }
    return parts;
}

// The folder `relative` below `root`, every component opened without following symlinks.
UniqueFd open_folder_beneath(const std::filesystem::path& root, const std::string& relative) {
    UniqueFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    std::size_t start = 0;
    while (dir && start < relative.size()) {
        const std::size_t slash = std::min(relative.find('/', start), relative.size());
        const std::string component = relative.substr(start, slash - start);
        if (component.empty() || component == "." || component == "..") {
            return UniqueFd();
        }
        dir.reset(::openat(dir.get(), component.c_str(),
                           O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        start = slash + 1;
    }
    return dir;
}

// The names in the folder `relative` (below `root`) that `pattern` matches, sorted. As in
// a shell, * and ? do not match a leading dot.
std::vector<std::string> matching_names(const std::filesystem::path& root,
                                        const std::string& relative, const std::string& pattern) {
    std::vector<std::string> names;
    UniqueFd dir = open_folder_beneath(root, relative);
    if (!dir) {
        return names;
    }
    DIR* stream = ::fdopendir(dir.release());
    if (stream == nullptr) {
        return names;
    }
    while (const struct dirent* entry = ::readdir(stream)) {
        const std::string name = entry->d_name;
        if (name != "." && name != ".." &&
            ::fnmatch(pattern.c_str(), name.c_str(), FNM_PERIOD) == 0) {
            names.push_back(name);
        }
    }
    ::closedir(stream);
    std::sort(names.begin(), names.end());
    return names;
}

std::string join_path(const std::string& folder, const std::string& name) {
    return folder.empty() ? name : folder + "/" + name;
}

// Every existing path (below the model's folder) that the template's components name:
// folders on the way, regular files at the end.
std::vector<std::string> expand(const std::filesystem::path& root, const std::string& folder,
                                const std::vector<Component>& parts) {
    std::vector<std::string> found = {""};
    for (std::size_t i = 0; i < parts.size() && !found.empty(); ++i) {
        const bool last = i + 1 == parts.size();
        std::vector<std::string> next;
        for (const auto& base : found) {
            std::vector<std::string> names =
                parts[i].glob ? matching_names(root, join_path(folder, base), parts[i].pattern)
                              : std::vector<std::string>{parts[i].literal};
            for (const auto& name : names) {
                const std::string candidate = join_path(base, name);
                struct stat st {};
                const std::string full = (root / join_path(folder, candidate)).string();
                if (::lstat(full.c_str(), &st) == 0 &&
                    (last ? S_ISREG(st.st_mode) : S_ISDIR(st.st_mode))) {
                    next.push_back(candidate);
                }
            }
        }
        found = std::move(next);
    }
    return found;
}

} // namespace

SidecarSelection find_sidecars(const config::Watch& watch, const std::string& model_file,
                               const std::vector<std::string>& model_files) {
    // The model's folder ("agents/" for "agents/dqn.pkl") and its placeholders, exactly as
    // the metrics and compat templates expand them.
    std::string folder = expand_template("", model_file, watch.name);
    const std::string name =
        expand_template("{name}", model_file, watch.name).substr(folder.size());
    const std::string stem =
        expand_template("{stem}", model_file, watch.name).substr(folder.size());
    if (!folder.empty()) {
        folder.pop_back(); // the trailing "/"
    }
    SidecarSelection selection;
    std::set<std::string> taken(model_files.begin(), model_files.end());
    for (const auto& pattern : watch.sidecars) {
        const auto parts = components(pattern, stem, name);
        const bool glob =
            std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p.glob; });
        const auto paths = expand(watch.path, folder, parts);
        std::size_t files = 0;
        std::uint64_t bytes = 0;
        std::vector<std::string> left_out;
        for (const auto& path : paths) {
            const std::string relative = join_path(folder, path);
            if (taken.count(relative) != 0) {
                continue; // a model file, or named by an earlier template: stored once
            }
            struct stat st {};
            ::lstat((watch.path / relative).c_str(), &st);
            const auto size = static_cast<std::uint64_t>(st.st_size);
            if (glob &&
                (files + 1 > k_max_glob_sidecar_files || bytes + size > k_max_glob_sidecar_bytes)) {
                left_out.push_back(path);
                continue;
            }
            ++files;
            bytes += size;
            taken.insert(relative);
            selection.files.push_back({relative, path});
        }
        if (!left_out.empty()) {
            selection.warnings.push_back(fmt::format(
                "sidecars \"{}\" matches {} more file(s) than a version keeps (at most {} files "
                "and {} per glob, docs/CONFIG.md); not stored: {}",
                escape_name(pattern), left_out.size(), k_max_glob_sidecar_files,
                format_bytes(k_max_glob_sidecar_bytes),
                escape_name(fmt::format("{}", fmt::join(left_out, ", ")))));
        }
    }
    return selection;
}

} // namespace mv::daemon
