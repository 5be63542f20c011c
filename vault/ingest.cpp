#include "vault/ingest.hpp"

#include <fmt/format.h>

#include "util/escape.hpp"
#include "vault/model_format.hpp"

namespace mv::vault {

FileEntry ingest_file(const SourceFile& source, store::WriteSession& session,
                      const store::FileWriteOptions& options, const std::stop_token& stop,
                      const ProgressFn& progress) {
    const OpenSource opened = open_source(source);
    FileEntry entry;
    entry.path = source.stored_as;
    entry.role = source.role;
    entry.size = static_cast<std::uint64_t>(opened.before.st_size);
    entry.mode = opened.before.st_mode & 07777;
    entry.mtime_ns = to_ns(opened.before.st_mtim);
    // The format comes from the very bytes that are stored, not from a second open.
    const DetectedFormat detected = detect_format(opened.fd.get(), source.stored_as);
    entry.format = detected.format;
    entry.format_mismatch = source.role == FileRole::model && !detected.matches_extension;
    store::FileWriteResult written;
    try {
        written = store::write_file(opened.fd.get(), entry.size, session, options, stop, progress);
    } catch (const store::InputTruncated&) {
        throw FileChangedError(fmt::format("{} shrank while it was being read", opened.shown));
    } catch (const Error& e) {
        if (e.code() == ErrorCode::cancelled) {
            throw Error(fmt::format("backup of {} abandoned: the daemon is stopping", opened.shown),
                        ErrorCode::cancelled);
        }
        throw Error(fmt::format("{}: {}", opened.shown, e.what()), e.code());
    }
    check_unchanged(source, opened);
    entry.sha256 = store::Digest{written.sha256}.hex();
    for (const auto& chunk : written.chunks) {
        entry.chunks.push_back({chunk.id, chunk.size});
    }
    entry.chunk_count = entry.chunks.size();
    return entry;
}

} // namespace mv::vault
