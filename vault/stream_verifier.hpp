#pragma once
// In-flight verification of an archive being written: the writer hands every compressed
// byte it writes to this verifier, whose thread decompresses and parses the stream with
// libarchive and hashes every member — using the CPU the compressor leaves idle instead
// of reading the archive back from disk afterwards. The writer then compares these hashes
// with the ones taken while reading the source files.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace mv::vault {

class StreamVerifier {
public:
    /// What one decoded member turned out to be.
    struct Digest {
        std::uint64_t size = 0;
        std::string sha256;
        bool regular = true;
    };
    struct Result {
        std::map<std::string, Digest> members; ///< by member name
        std::string problem;                   ///< empty when the stream decoded cleanly
    };

    /// Starts the verifying thread.
    StreamVerifier();
    /// Abandons the verification (if finish() was not called) and joins the thread.
    ~StreamVerifier();
    StreamVerifier(const StreamVerifier&) = delete;
    StreamVerifier& operator=(const StreamVerifier&) = delete;

    /// Queues a copy of `size` bytes of the stream; blocks while a few MiB are queued.
    /// Returns the problem found when the verification already failed (then the rest of
    /// the stream need not be written at all), else an empty string.
    std::string push(const char* data, std::size_t size);
    /// Ends the stream and waits for the verdict.
    Result finish();

private:
    void run();
    std::size_t pop(char* buffer, std::size_t size);

    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::string> m_queue;
    std::size_t m_queued_bytes = 0;
    std::size_t m_front_offset = 0; ///< bytes of m_queue.front() already handed out
    bool m_closed = false;
    bool m_gave_up = false; ///< the reader stopped early (damage): drop further input
    Result m_result;
    std::thread m_thread;
};

} // namespace mv::vault
