#pragma once
// Worker threads for long work (backups, verification), so that the event loop and the
// socket always answer. Jobs that share a key (a model id) never run at the same time;
// an automatic job whose key is already waiting is coalesced into the waiting one,
// which will read the newest content anyway.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace mv::daemon {

enum class Coalesce { no, yes };

class JobQueue {
public:
    using Work = std::function<void(const std::stop_token& stop)>;

    /// Starts `workers` threads; each runs `on_thread_start` first (I/O priority).
    JobQueue(std::string name, std::size_t workers, std::function<void()> on_thread_start = {});
    /// stop(), then joins.
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    /// Queues `work` under `key`. Returns false when it was coalesced into a waiting job
    /// with the same key (Coalesce::yes only) or the queue is stopping.
    bool submit(std::string key, Work work, Coalesce coalesce = Coalesce::no);

    /// Requests stop of running jobs; jobs still waiting run immediately with a stopped
    /// token (so that whoever waits for them gets an answer); then the threads end.
    void stop();

    struct Snapshot {
        std::vector<std::string> queued;
        std::vector<std::string> running;
    };
    Snapshot snapshot() const;

private:
    struct Job {
        std::string key;
        Work work;
        bool coalescable = false;
    };
    void run_worker();

    std::string m_name;
    std::function<void()> m_on_thread_start;
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<Job> m_queue;
    std::multiset<std::string> m_running;
    std::stop_source m_stop;
    std::vector<std::jthread> m_threads;
};

} // namespace mv::daemon
