#include "audit/log.hpp"

#include <deque>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "util/error.hpp"
#include "util/fs.hpp"

namespace mv::audit {

namespace {

UniqueFd open_log(const std::filesystem::path& file, std::uint64_t& size) {
    UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640));
    if (!fd) {
        throw Error(errno_message("cannot open the audit log " + file.string(), errno),
                    code_for_errno(errno));
    }
    struct stat st {};
    size = ::fstat(fd.get(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    // A crash may have torn the last line: the next record starts on a line of its own
    // (readers skip the torn one).
    char last = '\n';
    if (size > 0 && ::pread(fd.get(), &last, 1, static_cast<off_t>(size - 1)) == 1 &&
        last != '\n' && ::write(fd.get(), "\n", 1) == 1) {
        ++size;
    }
    return fd;
}

std::filesystem::path rotated(const std::filesystem::path& file, int n) {
    return file.string() + "." + std::to_string(n);
}

} // namespace

AuditLog::AuditLog(std::filesystem::path file, std::uint64_t rotate_bytes, int keep)
    : m_file(std::move(file)), m_rotate_bytes(rotate_bytes), m_keep(keep) {
    m_fd = open_log(m_file, m_size);
    m_syncer = std::jthread([this](const std::stop_token& stop) { sync_loop(stop); });
}

AuditLog::~AuditLog() {
    m_syncer.request_stop();
    m_wake.notify_all();
    m_syncer.join();
    if (m_fd) {
        ::fdatasync(m_fd.get());
    }
}

void AuditLog::append(const AuditRecord& record) {
    const std::string line = to_line(record);
    std::lock_guard lock(m_mutex);
    try {
        if (m_size > 0 && m_size + line.size() > m_rotate_bytes) {
            rotate_locked();
        }
        if (auto written = fs::write_all(m_fd.get(), line.data(), line.size(), m_file); !written) {
            throw Error(written.error(), ErrorCode::io);
        }
        m_size += line.size();
        m_dirty = true;
        m_wake.notify_all();
    } catch (const std::exception& e) {
        spdlog::error("audit log: cannot record {} by {}: {}", record.command, record.user,
                      e.what());
    }
}

void AuditLog::rotate_locked() {
    ::fdatasync(m_fd.get());
    for (int n = m_keep; n >= 1; --n) {
        const auto from = n == 1 ? m_file : rotated(m_file, n - 1);
        std::error_code ignored;
        std::filesystem::rename(from, rotated(m_file, n), ignored);
    }
    value_or_throw(fs::sync_directory(m_file.parent_path()), "audit log: ");
    m_fd = open_log(m_file, m_size);
    spdlog::info("audit log: rotated {} (the oldest {} files are kept)", m_file.string(), m_keep);
}

void AuditLog::sync_loop(const std::stop_token& stop) {
    std::unique_lock lock(m_mutex);
    while (!stop.stop_requested()) {
        m_wake.wait(lock, stop, [&] { return m_dirty; });
        if (!m_dirty) {
            continue;
        }
        m_dirty = false;
        UniqueFd fd(::dup(m_fd.get()));
        lock.unlock();
        if (fd && ::fdatasync(fd.get()) != 0) {
            spdlog::error("audit log: {}", errno_message("fdatasync " + m_file.string(), errno));
        }
        lock.lock();
    }
}

std::vector<AuditRecord> AuditLog::read(const AuditFilter& filter, std::size_t limit) const {
    std::vector<std::filesystem::path> files;
    for (int n = m_keep; n >= 1; --n) {
        files.push_back(rotated(m_file, n));
    }
    files.push_back(m_file);
    std::deque<AuditRecord> newest;
    for (const auto& file : files) {
        std::ifstream in(file);
        std::string line;
        while (std::getline(in, line)) {
            auto record = parse_line(line);
            if (!record || !matches(*record, filter)) {
                continue;
            }
            newest.push_back(std::move(*record));
            if (newest.size() > limit) {
                newest.pop_front();
            }
        }
    }
    return {newest.begin(), newest.end()};
}

} // namespace mv::audit
