#pragma once
// One source file into the store: opened safely, its format detected from its bytes, its
// chunks stored, and the version discarded if the file changed while it was read.

#include <stop_token>

#include "store/file_writer.hpp"
#include "vault/source_file.hpp"

namespace mv::vault {

/// Stores `source` through `session` and describes it (path, role, size, mode, mtime,
/// SHA-256, format, chunks). Throws FileChangedError, Error(cancelled) on `stop`,
/// Error(not_found) when it is gone, Error(invalid_argument) for a symlink or a file
/// that is not regular, Error for I/O failures.
FileEntry ingest_file(const SourceFile& source, store::WriteSession& session,
                      const store::FileWriteOptions& options, const std::stop_token& stop,
                      const ProgressFn& progress);

} // namespace mv::vault
