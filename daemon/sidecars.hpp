#pragma once
// Which sidecar files travel with a version (docs/CONFIG.md, `sidecars`): each template is
// expanded in the model's folder ({stem}, {name}); a component with *, ? or [...] is an
// fnmatch glob matched within that one folder. A sidecar keeps its path below the model's
// folder ("logs/train.log" is stored as sidecars/logs/train.log), so two sidecars can
// never collide: equal stored names are the same file, stored once.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace mv::daemon {

/// At most this many files of one glob template are stored with a version (the first in
/// name order), and at most this many bytes of them; the rest are named in a warning.
inline constexpr std::size_t k_max_glob_sidecar_files = 100;
inline constexpr std::uint64_t k_max_glob_sidecar_bytes = 256u << 20;

struct SidecarFile {
    std::string relative;  ///< raw path below the watch root: "agents/logs/train.log"
    std::string stored_as; ///< raw path below the model's folder: "logs/train.log"
};

struct SidecarSelection {
    std::vector<SidecarFile> files; ///< in template order, globs sorted by name
    std::vector<std::string> warnings;
};

/// The sidecars of the model whose file is `model_file` (relative to the watch root; ""
/// for layout directory, whose folder is the watch root). Only regular files count;
/// symlinks are never followed; the model's own `model_files` are left out, and a file
/// named by several templates is listed once. Missing files are simply absent.
SidecarSelection find_sidecars(const config::Watch& watch, const std::string& model_file,
                               const std::vector<std::string>& model_files);

} // namespace mv::daemon
