#include "store/file_writer.hpp"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "store/byte_buffer.hpp"
#include "store/chunk_plan.hpp"
#include "store/gear_chunker.hpp"
#include "store/sha256.hpp"

namespace mv::store {

namespace {

using Bytes = ByteBuffer;

/// How much is read at a time while looking for a content-defined cut.
constexpr std::size_t k_read_step = 1u << 20;

// The chunk buffers of one file: at most `limit` lent out at a time (read and not yet
// released by both the workers and the file's hasher), which bounds a backup's memory
// (docs/SERVICE.md "Memory"); returned ones are lent again, since a fresh multi-MiB
// allocation per chunk costs page faults.
class BufferPool {
public:
    explicit BufferPool(std::size_t limit) : m_limit(limit) {}

    /// Waits until fewer than `limit` are lent. Throws once cancel() was called.
    Bytes take() {
        std::unique_lock lock(m_mutex);
        m_returned.wait(lock, [&] { return m_cancelled || m_lent < m_limit; });
        if (m_cancelled) {
            throw Error("the backup of this file was abandoned", ErrorCode::cancelled);
        }
        ++m_lent;
        if (m_spares.empty()) {
            return {};
        }
        Bytes bytes = std::move(m_spares.back());
        m_spares.pop_back();
        bytes.clear();
        return bytes;
    }
    void give_back(Bytes bytes) {
        std::lock_guard lock(m_mutex);
        --m_lent;
        m_spares.push_back(std::move(bytes));
        m_returned.notify_one();
    }
    /// A worker or the hasher failed: a take() waiting for them gives up.
    void cancel() {
        std::lock_guard lock(m_mutex);
        m_cancelled = true;
        m_returned.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<Bytes> m_spares;
    std::size_t m_limit;
    std::size_t m_lent = 0;
    bool m_cancelled = false;
};

/// A chunk read once and shared by its worker and the file's hasher; the last one done
/// with it gives the buffer back to the pool.
using SharedBytes = std::shared_ptr<const Bytes>;

SharedBytes share(Bytes bytes, BufferPool& pool) {
    return {new Bytes(std::move(bytes)), [&pool](const Bytes* done) {
                pool.give_back(std::move(*const_cast<Bytes*>(done)));
                delete done;
            }};
}

struct Job {
    std::size_t index = 0;
    SharedBytes bytes;
    ChunkHint hint;
};

// Chunks waiting for a consumer, bounded in bytes; the first failure closes it.
class JobQueue {
public:
    explicit JobQueue(std::uint64_t limit) : m_limit(limit) {}

    void push(Job job) {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_failure || m_bytes < m_limit; });
        rethrow_locked();
        m_bytes += job.bytes->size();
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
        m_bytes -= job.bytes->size();
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
    std::uint64_t m_bytes = 0;
    std::uint64_t m_limit;
    bool m_closed = false;
    std::exception_ptr m_failure;
};

// Reads the file in order and hands out each chunk twice: to the workers (any order)
// and to the file's hasher (in order). The SHA-256 of the whole file used to run on this
// thread, which made reading it the slowest stage of a backup that stores little.
class Cutter {
public:
    Cutter(int fd, BufferPool& pool, JobQueue& work, JobQueue& hashing, const std::stop_token& stop,
           const std::function<void(std::uint64_t)>& progress)
        : m_fd(fd), m_pool(pool), m_work(work), m_hashing(hashing), m_stop(stop),
          m_progress(progress) {}

    void run(const std::vector<Segment>& segments) {
        for (const auto& segment : segments) {
            if (segment.content_defined) {
                cut_by_content(segment);
            } else {
                Bytes bytes = m_pool.take();
                read_into(bytes, segment.length);
                emit(std::move(bytes), {segment.type, segment.prefix});
            }
        }
    }
    std::size_t chunks() const { return m_next; }

private:
    void cut_by_content(const Segment& segment) {
        GearScanner scanner;
        const std::uint64_t end = segment.offset + segment.length;
        Bytes bytes = m_pool.take();
        while (m_offset < end || !bytes.empty()) {
            const std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(k_read_step, end - m_offset));
            read_into(bytes, want);
            const auto cut = scanner.scan(bytes, m_offset == end);
            if (!cut) {
                continue;
            }
            Bytes rest = m_pool.take();
            append_bytes(rest, std::span<const std::uint8_t>(bytes).subspan(*cut));
            bytes.resize(*cut);
            emit(std::move(bytes), {});
            bytes = std::move(rest);
            scanner.reset();
        }
        m_pool.give_back(std::move(bytes)); // the empty rest of the last cut
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
        m_offset += done;
        if (m_progress) {
            m_progress(m_offset);
        }
    }
    void emit(Bytes bytes, ChunkHint hint) {
        if (bytes.empty()) {
            m_pool.give_back(std::move(bytes)); // lent all the same
            return;
        }
        const SharedBytes shared = share(std::move(bytes), m_pool);
        m_hashing.push({m_next, shared, hint});
        m_work.push({m_next, shared, hint});
        ++m_next;
    }

    int m_fd;
    BufferPool& m_pool;
    JobQueue& m_work;
    JobQueue& m_hashing;
    const std::stop_token& m_stop;
    const std::function<void(std::uint64_t)>& m_progress;
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
    const unsigned workers = std::max(options.workers, 1u);
    // One chunk per worker, one being read, one more for a hasher that lags or the rest
    // of a content-defined read: what keeps the workers busy (bench/README.md).
    BufferPool pool(workers + 2); // before the queues: their jobs give buffers back to it
    JobQueue work(options.queue_bytes);
    JobQueue hashing(options.queue_bytes);
    std::mutex results_mutex;
    std::uint64_t new_chunks = 0;
    std::vector<std::jthread> threads;
    for (unsigned i = 0; i < workers; ++i) {
        threads.emplace_back([&] {
            PutScratch scratch;
            try {
                while (auto job = work.pop()) {
                    const PutResult put = session.put(*job->bytes, job->hint, scratch);
                    std::lock_guard lock(results_mutex);
                    if (result.chunks.size() <= job->index) {
                        result.chunks.resize(job->index + 1);
                    }
                    result.chunks[job->index] = {put.id, job->bytes->size()};
                    new_chunks += put.stored ? 1 : 0;
                }
            } catch (...) {
                work.fail(std::current_exception());
                pool.cancel();
            }
        });
    }
    Sha256 file_sha;
    threads.emplace_back([&] {
        try {
            while (auto job = hashing.pop()) {
                file_sha.update(job->bytes->data(), job->bytes->size());
            }
        } catch (...) {
            // Recorded for the workers' queue too, before the reader is cancelled: its
            // "abandoned" must not be the error the file fails with.
            hashing.fail(std::current_exception());
            work.fail(std::current_exception());
            pool.cancel();
        }
    });
    Cutter cutter(fd, pool, work, hashing, stop, progress);
    try {
        cutter.run(plan_segments(layout));
    } catch (...) {
        work.fail(std::current_exception());
        hashing.fail(std::current_exception());
    }
    work.close();
    hashing.close();
    threads.clear(); // joins
    work.rethrow();
    hashing.rethrow();
    result.chunks.resize(cutter.chunks());
    result.sha256 = file_sha.digest();
    result.new_chunks = new_chunks;
    return result;
}

} // namespace mv::store
