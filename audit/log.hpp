#pragma once
// The audit log (docs/NOTIFICATIONS.md, "Audit log"): VAULT/state/audit.jsonl, one JSON
// line per request that reads model data or changes something. Each record is one
// write(2) in O_APPEND mode, so readers see it at once and records never interleave; a
// thread of its own fdatasyncs the file right after, so that the caller (often the event
// loop) never waits for the disk. When the file passes `rotate_bytes` it becomes
// audit.jsonl.1 (the older ones move up, up to .`keep`, the oldest is deleted): the log
// never grows beyond about (keep + 1) × rotate_bytes.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "audit/record.hpp"
#include "util/fd.hpp"

namespace mv::audit {

inline constexpr std::uint64_t k_rotate_bytes = 8u << 20;
inline constexpr int k_rotated_files = 4;

class AuditLog {
public:
    /// Opens (creating, mode 0640) `file`. Throws Error when it cannot.
    explicit AuditLog(std::filesystem::path file, std::uint64_t rotate_bytes = k_rotate_bytes,
                      int keep = k_rotated_files);
    ~AuditLog();
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    /// Appends `record`. Never throws: a failure is logged (the request itself goes on).
    void append(const AuditRecord& record);

    /// The newest `limit` records that match, oldest first, from the rotated files and
    /// the current one. Torn lines (a crash mid-write) are skipped.
    std::vector<AuditRecord> read(const AuditFilter& filter, std::size_t limit) const;

    const std::filesystem::path& file() const { return m_file; }

private:
    void rotate_locked();
    void sync_loop(const std::stop_token& stop);

    std::filesystem::path m_file;
    std::uint64_t m_rotate_bytes;
    int m_keep;
    mutable std::mutex m_mutex; ///< guards everything below
    UniqueFd m_fd;
    std::uint64_t m_size = 0;
    bool m_dirty = false;
    std::condition_variable_any m_wake;
    std::jthread m_syncer; ///< last: stopped first
};

} // namespace mv::audit
