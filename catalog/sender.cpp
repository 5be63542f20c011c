#include "catalog/sender.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "catalog/database.hpp"
#include "catalog/event.hpp"
#include "catalog/password_file.hpp"
#include "catalog/statements.hpp"
#include "util/error.hpp"

namespace mv::catalog {

using json = nlohmann::json;

Sender::Sender(SenderOptions options, const Clock& clock)
    : m_options(std::move(options)), m_clock(clock), m_outbox(m_options.outbox) {
    m_status.rejected_events = m_outbox.rejected();
    m_thread = std::thread([this] { run(); });
}

Sender::~Sender() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void Sender::push(const json& event) {
    const std::string text = event.dump();
    {
        const std::lock_guard lock(m_mutex);
        const std::uint64_t sequence = m_outbox.push(text);
        if (kind_of(event) == "sync") {
            drop_superseded(sequence);
        }
    }
    m_wake.notify_all();
}

void Sender::drop_superseded(std::uint64_t sync) {
    std::vector<std::uint64_t> redundant;
    for (const std::uint64_t sequence : m_outbox.waiting()) {
        if (sequence >= sync) {
            break;
        }
        try {
            const auto kind = kind_of(json::parse(m_outbox.read(sequence), nullptr, false));
            if (kind == "versions" || kind == "sync") {
                redundant.push_back(sequence);
            }
        } catch (const Error&) {
            // Unreadable: the sender reports it when it gets there.
        }
    }
    for (const std::uint64_t sequence : redundant) {
        m_outbox.remove(sequence);
    }
}

SenderStatus Sender::status() const {
    const std::lock_guard lock(m_mutex);
    SenderStatus status = m_status;
    status.pending_events = m_outbox.waiting().size();
    status.rejected_events = m_outbox.rejected();
    return status;
}

std::unique_ptr<Database> Sender::connect() {
    std::string password;
    if (!m_options.password_file.empty()) {
        password =
            value_or_throw(read_password_file(m_options.password_file), "", ErrorCode::unavailable);
    }
    auto database = std::make_unique<Database>(m_options.uri, password);
    const std::lock_guard lock(m_mutex);
    m_status.connected = true;
    m_status.schema_version = database->schema_version();
    return database;
}

void Sender::drain(std::unique_ptr<Database>& database) {
    for (;;) {
        std::optional<std::uint64_t> next;
        {
            const std::lock_guard lock(m_mutex);
            next = m_stop ? std::nullopt : m_outbox.front();
            m_status.last_attempt = m_clock.now();
        }
        if (!next) {
            return;
        }
        std::vector<Statement> statements;
        try {
            statements = statements_for(json::parse(m_outbox.read(*next), nullptr, false));
        } catch (const Error& error) {
            if (error.code() != ErrorCode::corrupt) {
                const std::lock_guard lock(m_mutex);
                if (m_outbox.waiting().count(*next) == 0) {
                    continue; // a sync made it redundant while it was being read
                }
                throw;
            }
            spdlog::error("catalog: event {} cannot be sent ({}); it is kept in {}/rejected", *next,
                          error.what(), m_options.outbox.string());
            const std::lock_guard lock(m_mutex);
            m_outbox.set_aside(*next);
            continue;
        }
        if (!database) {
            database = connect();
        }
        database->apply(statements);
        const std::lock_guard lock(m_mutex);
        m_outbox.remove(*next);
        ++m_status.delivered_events;
        m_status.last_success = m_clock.now();
        m_status.last_error.clear();
    }
}

void Sender::run() {
    std::unique_ptr<Database> database;
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        if (m_retry.count() > 0) {
            m_wake.wait_for(lock, m_retry, [this] { return m_stop; });
        } else {
            m_wake.wait(lock, [this] { return m_stop || !m_outbox.waiting().empty(); });
        }
        if (m_stop) {
            break;
        }
        lock.unlock();
        try {
            drain(database);
            lock.lock();
            m_retry = std::chrono::milliseconds(0);
        } catch (const std::exception& error) {
            // Connect again next time: the server may have restarted, the password changed.
            database.reset();
            lock.lock();
            if (m_status.last_error != error.what()) {
                spdlog::warn("catalog: {}; {} event(s) wait in the outbox", error.what(),
                             m_outbox.waiting().size());
            }
            m_status.last_error = error.what();
            m_status.connected = false;
            m_retry = std::clamp(m_retry * 2, m_options.first_retry, m_options.max_retry);
        }
    }
}

} // namespace mv::catalog
