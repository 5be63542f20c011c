#pragma once
// When each watch's schedule last fired, kept in VAULT/state/schedule.json so that a
// restart neither repeats a run nor forgets one that was due while the daemon was down.

#include <filesystem>
#include <map>
#include <string>

#include "util/time.hpp"

namespace mv::daemon {

using LastFires = std::map<std::string, SystemTime>; ///< watch name → last fire

/// Reads the file; a missing or damaged file gives no entries (logged).
LastFires load_last_fires(const std::filesystem::path& file);

/// Replaces the file atomically; a failure is logged (the next run may then repeat).
void save_last_fires(const std::filesystem::path& file, const std::filesystem::path& tmp_dir,
                     const LastFires& fires);

} // namespace mv::daemon
