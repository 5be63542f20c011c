#include "store/file_writer.hpp"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "store/chunk_plan.hpp"
#include "store/gear_chunker.hpp"
#include "store/sha256.hpp"

namespace mv::store {

namespace {

using Bytes = std::vector<std::uint8_t>;

/// How much is read at a time while looking for a content-defined cut.
constexpr std::size_t k_read_step = 1u << 20;

struct Job {
    std::size_t index = 0;
    Bytes bytes;
    ChunkHint hint;
};

// Chunks waiting for a worker, bounded in bytes; the first failure closes it.
class JobQueue {
public:
    explicit JobQueue(std::uint64_t limit) : m_limit(limit) {}

    void push(Job job) {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_failure || m_bytes < m_limit; });
        rethrow_locked();
        m_bytes += job.bytes.size();
        m_jobs.push_back(std::move(job));
        m_ready.notify_one();
    }
    std::optional<Job> pop() {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [&] { return m_closed || m_failure || !m_jobs.empty(); });
        if (m_failure || m_jobs.empty()) {
            return std::nullopt;
        }
        Job job = std::move(m_jobs.front());
        m_jobs.pop_front();
        m_bytes -= job.bytes.size();
        m_space.notify_one();
        return job;
    }
    void close() {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_ready.notify_all();
    }
    void fail(std::exception_ptr failure) {
        std::lock_guard lock(m_mutex);
        if (!m_failure) {
            m_failure = failure;
        }
        m_ready.notify_all();
        m_space.notify_all();
    }
    void rethrow() {
        std::lock_guard lock(m_mutex);
        rethrow_locked();
    }
    /// A buffer to reuse (allocating 4 MiB per chunk costs page faults).
    Bytes spare() {
        std::lock_guard lock(m_mutex);
        if (m_spares.empty()) {
            return {};
        }
        Bytes bytes = std::move(m_spares.back());
        m_spares.pop_back();
        bytes.clear();
        return bytes;
    }
    void recycle(Bytes bytes) {
        std::lock_guard lock(m_mutex);
        if (m_spares.size() < 2) {
            m_spares.push_back(std::move(bytes));
        }
    }

private:
    void rethrow_locked() {
        if (m_failure) {
            std::rethrow_exception(m_failure);
        }
    }
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::condition_variable m_space;
    std::deque<Job> m_jobs;
    std::vector<Bytes> m_spares;
    std::uint64_t m_bytes = 0;
    std::uint64_t m_limit;
    bool m_closed = false;
    std::exception_ptr m_failure;
};

// Reads the file in order, hashing it, and hands out chunks.
class Cutter {
public:
    Cutter(int fd, JobQueue& queue, const std::stop_token& stop,
           const std::function<void(std::uint64_t)>& progress)
        : m_fd(fd), m_queue(queue), m_stop(stop), m_progress(progress) {}

    void run(const std::vector<Segment>& segments) {
        for (const auto& segment : segments) {
            if (segment.content_defined) {
                cut_by_content(segment);
            } else {
                Bytes bytes = m_queue.spare();
                read_into(bytes, segment.length);
                emit(std::move(bytes), {segment.type, segment.prefix});
            }
        }
    }
    std::size_t chunks() const { return m_next; }
    std::array<std::uint8_t, 32> digest() { return m_sha.digest(); }

private:
    void cut_by_content(const Segment& segment) {
        GearScanner scanner;
        const std::uint64_t end = segment.offset + segment.length;
        Bytes bytes = m_queue.spare();
        while (m_offset < end || !bytes.empty()) {
            const std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(k_read_step, end - m_offset));
            read_into(bytes, want);
            const auto cut = scanner.scan(bytes, m_offset == end);
            if (!cut) {
                continue;
            }
            Bytes rest = m_queue.spare();
            rest.assign(bytes.begin() + static_cast<std::ptrdiff_t>(*cut), bytes.end());
            bytes.resize(*cut);
            emit(std::move(bytes), {});
            bytes = std::move(rest);
            scanner.reset();
        }
    }
    // Appends `length` bytes read at the current offset to `bytes`.
    void read_into(Bytes& bytes, std::uint64_t length) {
        if (m_stop.stop_requested()) {
            throw Error("backup abandoned: the daemon is stopping", ErrorCode::cancelled);
        }
        const std::size_t start = bytes.size();
        bytes.resize(start + static_cast<std::size_t>(length));
        std::size_t done = 0;
        while (done < length) {
            const ssize_t got =
                ::pread(m_fd, bytes.data() + start + done, static_cast<std::size_t>(length) - done,
                        static_cast<off_t>(m_offset + done));
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got < 0) {
                throw Error(errno_message("cannot read the file", errno), code_for_errno(errno));
            }
            if (got == 0) {
                throw InputTruncated("the file shrank while it was being read");
            }
            done += static_cast<std::size_t>(got);
        }
        m_sha.update(bytes.data() + start, done);
        m_offset += done;
        if (m_progress) {
            m_progress(m_offset);
        }
    }
    void emit(Bytes bytes, ChunkHint hint) {
        if (bytes.empty()) {
            return;
        }
        m_queue.push({m_next++, std::move(bytes), hint});
    }

    int m_fd;
    JobQueue& m_queue;
    const std::stop_token& m_stop;
    const std::function<void(std::uint64_t)>& m_progress;
    Sha256 m_sha;
    std::uint64_t m_offset = 0;
    std::size_t m_next = 0;
};

} // namespace

FileWriteResult write_file(int fd, std::uint64_t size, WriteSession& session,
                           const FileWriteOptions& options, const std::stop_token& stop,
                           const std::function<void(std::uint64_t)>& progress) {
    const ReadAt read_at = [fd](std::uint64_t offset, std::size_t length) -> Result<std::string> {
        std::string bytes(length, '\0');
        const ssize_t got = ::pread(fd, bytes.data(), length, static_cast<off_t>(offset));
        if (got < 0) {
            return failure(errno_message("cannot read the file", errno));
        }
        bytes.resize(static_cast<std::size_t>(got));
        return bytes;
    };
    const FileLayout layout = plan_layout(read_at, size);
    FileWriteResult result;
    result.layout = layout.format;
    JobQueue queue(options.queue_bytes);
    std::mutex results_mutex;
    std::uint64_t new_chunks = 0;
    std::vector<std::jthread> workers;
    for (unsigned i = 0; i < std::max(options.workers, 1u); ++i) {
        workers.emplace_back([&] {
            PutScratch scratch;
            try {
                while (auto job = queue.pop()) {
                    const PutResult put = session.put(job->bytes, job->hint, scratch);
                    {
                        std::lock_guard lock(results_mutex);
                        if (result.chunks.size() <= job->index) {
                            result.chunks.resize(job->index + 1);
                        }
                        result.chunks[job->index] = {put.id, job->bytes.size()};
                        new_chunks += put.stored ? 1 : 0;
                    }
                    queue.recycle(std::move(job->bytes));
                }
            } catch (...) {
                queue.fail(std::current_exception());
            }
        });
    }
    Cutter cutter(fd, queue, stop, progress);
    try {
        cutter.run(plan_segments(layout));
    } catch (...) {
        queue.fail(std::current_exception());
    }
    queue.close();
    workers.clear(); // joins
    queue.rethrow();
    result.chunks.resize(cutter.chunks());
    result.sha256 = cutter.digest();
    result.new_chunks = new_chunks;
    return result;
}

} // namespace mv::store
