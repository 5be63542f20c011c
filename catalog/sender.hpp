#pragma once
// The catalog's background sender (docs/catalog.md, "Delivery"): events go to the
// durable outbox at once (push() returns when the event is on disk) and a thread of its
// own delivers them, oldest first, one transaction each, removing an event's file only
// once the database committed it. When the database is unreachable it retries with
// back-off (first_retry doubling up to max_retry); nothing waits for it and nothing is
// lost. An event is delivered at least once and its statements are idempotent
// (statements.hpp), so a replay after a crash changes nothing.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "catalog/outbox.hpp"
#include "util/time.hpp"

namespace mv::catalog {

class Database;

struct SenderOptions {
    std::string uri;                     ///< the libpq connection URI
    std::filesystem::path password_file; ///< empty: no password; read at every connect
    std::filesystem::path outbox;        ///< the outbox folder
    std::chrono::milliseconds first_retry = std::chrono::seconds(1);
    std::chrono::milliseconds max_retry = std::chrono::seconds(30);
};

/// What `status` shows of the catalog.
struct SenderStatus {
    std::size_t pending_events = 0;
    std::size_t rejected_events = 0;    ///< set aside: not events this modelvault can send
    std::uint64_t delivered_events = 0; ///< since the daemon started
    bool connected = false;
    int schema_version = 0; ///< of the database, once connected
    std::optional<SystemTime> last_success;
    std::optional<SystemTime> last_attempt;
    std::string last_error; ///< empty once an event was delivered after it
};

class Sender {
public:
    /// Opens the outbox (throws Error(io) when it cannot) and starts the thread, which
    /// delivers what a previous run left at once.
    Sender(SenderOptions options, const Clock& clock);
    /// Stops the thread; an event being sent is sent again at the next start.
    ~Sender();
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    /// Stores `event` in the outbox and wakes the thread. A "sync" event makes the
    /// waiting "versions" and "sync" events before it redundant: they are dropped.
    /// Throws Error(io) when the outbox cannot be written.
    void push(const nlohmann::json& event);
    SenderStatus status() const;

private:
    void run();
    void drain(std::unique_ptr<Database>& database);
    void drop_superseded(std::uint64_t sync);
    std::unique_ptr<Database> connect();

    SenderOptions m_options;
    const Clock& m_clock;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    Outbox m_outbox; ///< guarded by m_mutex (read() of an event's file excepted)
    SenderStatus m_status;
    std::chrono::milliseconds m_retry{0};
    std::thread m_thread;
};

} // namespace mv::catalog
