#pragma once
// Writing the metrics text for node_exporter's textfile collector: to a temporary name in
// the same folder, then renamed over the target, so that a scrape never reads half a file.
// Not fsynced: the file is rewritten every few seconds and a crash only loses a sample.

#include <filesystem>
#include <string_view>

#include "util/expected.hpp"

namespace mv::metrics {

/// Replaces `target` (mode 0644: node_exporter runs as another user) with `text`. The
/// temporary file's name starts with "." and does not end in ".prom", so the collector
/// never reads it.
Result<void> write_textfile(const std::filesystem::path& target, std::string_view text);

} // namespace mv::metrics
