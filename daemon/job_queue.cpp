#include "daemon/job_queue.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "util/error.hpp"

namespace mv::daemon {

JobQueue::JobQueue(std::string name, std::size_t workers, std::function<void()> on_thread_start)
    : m_name(std::move(name)), m_on_thread_start(std::move(on_thread_start)) {
    for (std::size_t i = 0; i < workers; ++i) {
        m_threads.emplace_back([this] { run_worker(); });
    }
}

JobQueue::~JobQueue() {
    stop();
    for (auto& thread : m_threads) {
        if (thread.joinable()) {
            thread.join();
        }
    }
}

bool JobQueue::submit(std::string key, Work work, Coalesce coalesce) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stop.stop_requested()) {
            return false;
        }
        if (coalesce == Coalesce::yes) {
            for (const auto& job : m_queue) {
                if (job.coalescable && job.key == key) {
                    return false;
                }
            }
        }
        m_queue.push_back({std::move(key), std::move(work), coalesce == Coalesce::yes});
    }
    m_ready.notify_all();
    return true;
}

void JobQueue::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stop.request_stop();
    }
    m_ready.notify_all();
}

JobQueue::Snapshot JobQueue::snapshot() const {
    std::lock_guard lock(m_mutex);
    Snapshot snapshot;
    for (const auto& job : m_queue) {
        snapshot.queued.push_back(job.key);
    }
    snapshot.running.assign(m_running.begin(), m_running.end());
    return snapshot;
}

void JobQueue::run_worker() {
    if (m_on_thread_start) {
        m_on_thread_start();
    }
    while (true) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            // The first waiting job whose key is not running elsewhere.
            auto runnable = m_queue.end();
            m_ready.wait(lock, [&] {
                runnable = std::find_if(m_queue.begin(), m_queue.end(), [&](const Job& j) {
                    return j.key.empty() || m_running.count(j.key) == 0;
                });
                return runnable != m_queue.end() || (m_stop.stop_requested() && m_queue.empty());
            });
            if (runnable == m_queue.end()) {
                return; // stopping and nothing left
            }
            job = std::move(*runnable);
            m_queue.erase(runnable);
            m_running.insert(job.key);
        }
        try {
            job.work(m_stop.get_token());
        } catch (const std::exception& e) {
            // Jobs report their own failures; this is the last line of defence.
            spdlog::error("{} job {} failed: {}", m_name, job.key, e.what());
        }
        {
            std::lock_guard lock(m_mutex);
            m_running.erase(m_running.find(job.key));
        }
        m_ready.notify_all();
    }
}

} // namespace mv::daemon
