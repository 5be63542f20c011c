#pragma once
// Pure file-system enumeration of a watch, used at start-up, on rescan, by schedules and by
// the Watcher when a new directory appears. Symlinks are never followed; excluded
// directories are not entered; names are raw bytes, relative to the watch root.

#include <functional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "util/expected.hpp"
#include "watcher/series.hpp"

namespace mv::watcher {

/// Whether a walk goes below the directory it starts in.
enum class Recursion { yes, no };

/// Called with a directory's relative path before it is read; false skips it entirely.
using DirectoryVisitor = std::function<bool(const std::string& relative_dir)>;
/// Called with the relative path of each regular file found.
using FileVisitor = std::function<void(const std::string& relative_file)>;

/// Visits `start` (relative to the root, "" for the root) and, with Recursion::yes, every
/// non-excluded directory below it, depth first: on_directory before reading a directory,
/// then on_file for its non-excluded regular files. Fails only when `start` itself cannot
/// be read; unreadable subdirectories are logged and skipped.
Result<void> walk_tree(const config::Watch& watch, const std::string& start, Recursion recursion,
                       const DirectoryVisitor& on_directory, const FileVisitor& on_file);

/// Every model currently present in `watch` (files layout: relative paths of regular files
/// that pass include/exclude and belong to no checkpoint series, recursing when
/// `recursive`; directory layout: {""} if the root exists), sorted. A missing root gives
/// {}; an unreadable one throws mv::Error.
std::vector<std::string> list_models(const config::Watch& watch);

/// The files of one model, relative to the watch root, sorted: files layout → {model} when
/// `model` is a regular file (not a symlink) that passes include/exclude, else {};
/// directory layout → for model "" every regular file under the root not excluded
/// (include does not apply), for any other model {}. Throws mv::Error when the root of a
/// directory-layout watch cannot be read.
std::vector<std::string> list_model_files(const config::Watch& watch, const std::string& model);

/// Every checkpoint of the watch's series (watcher/series.hpp), in the order their versions
/// are made: by model, then step, epoch, modification time and name. {} without a series.
/// Throws mv::Error when the root cannot be read.
std::vector<CheckpointRef> list_checkpoints(const config::Watch& watch);

/// The checkpoints of `checkpoint`'s series in its own folder (itself included), each with
/// its modification time (ns).
std::vector<std::pair<CheckpointRef, std::int64_t>>
series_neighbours(const config::Watch& watch, const CheckpointRef& checkpoint);

/// True when no other checkpoint of the series in its folder is newer: a higher step, or
/// (without steps) a later modification.
bool is_newest(const config::Watch& watch, const CheckpointRef& checkpoint);

/// The checkpoint at `member` (relative to the watch root) if it still is one.
std::optional<CheckpointRef> checkpoint_at(const config::Watch& watch, const std::string& member);

/// The files of one checkpoint, relative to the watch root, sorted: a checkpoint file and
/// the files saved with it (SB3's replay buffer and VecNormalize statistics); or every
/// regular file below a checkpoint folder that `exclude` does not skip (completion files
/// such as ".metadata" are kept). {} when it is gone.
std::vector<std::string> list_checkpoint_files(const config::Watch& watch,
                                               const CheckpointRef& checkpoint);

} // namespace mv::watcher
