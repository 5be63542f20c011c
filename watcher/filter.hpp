#pragma once
// Which paths under a watch matter. Paths are relative to the watch root, '/'-separated,
// raw bytes (no escaping); patterns are fnmatch(3) globs from the watch's configuration.

#include <string>
#include <string_view>

#include "config/model.hpp"

namespace mv::watcher {

/// True when `relative_path` is a model file of `watch` (layout files): its file name
/// matches an include pattern (every name when the list is empty) and it is not excluded.
/// An include pattern containing '/' matches the whole relative path (FNM_PATHNAME).
bool is_model_file(const config::Watch& watch, std::string_view relative_path);

/// True when an exclude pattern matches any component of `relative_path` (so ".*" also
/// skips hidden folders). A pattern containing '/' matches the whole path or any of its
/// leading directories (FNM_PATHNAME), so excluding "runs/old" excludes what is inside.
bool is_excluded(const config::Watch& watch, std::string_view relative_path);

/// True for the name of a file that completes a folder checkpoint and that exclude
/// patterns do not skip: torch.distributed.checkpoint's ".metadata" (the folder is
/// useless without it, and ".*" is in the default exclude).
bool is_completion_file(std::string_view relative_path);

/// `dir` + '/' + `name`, or `name` when `dir` is the root ("").
std::string join_relative(std::string_view dir, std::string_view name);

/// True when `path` is `dir` itself or lies below it ("" contains everything).
bool is_within(std::string_view path, std::string_view dir);

} // namespace mv::watcher
