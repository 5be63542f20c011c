#include "replica/replicator.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "replica/sync.hpp"
#include "s3/credentials.hpp"
#include "util/fs.hpp"

namespace mv::replica {

namespace {

using Json = nlohmann::json;

std::optional<SystemTime> time_from(const Json& state, const char* key) {
    if (!state.contains(key) || !state[key].is_string()) {
        return std::nullopt;
    }
    auto time = parse_time(state[key].get<std::string>());
    return time ? std::optional<SystemTime>(*time) : std::nullopt;
}

Json time_to(const std::optional<SystemTime>& time) {
    return time ? Json(format_utc(*time)) : Json(nullptr);
}

} // namespace

Replicator::Replicator(ReplicatorOptions options, const Clock& clock)
    : m_options(std::move(options)), m_clock(clock) {
    m_status.name = m_options.name;
    m_status.where = s3::describe(m_options.location);
    load_state();
    // Until the first pass has listed the replica, every version counts as pending: a
    // status read right after a restart must not claim the replica is up to date.
    try {
        const SyncPlan unknown = plan_sync(list_vault_files(m_options.vault), {});
        m_status.pending_versions = unknown.pending_versions;
        m_status.pending_bytes = unknown.pending_bytes;
        m_status.oldest_pending = unknown.oldest_pending;
    } catch (const std::exception&) {
        // the vault cannot be listed: the first pass reports why
    }
    m_thread = std::thread([this] { run(); });
}

Replicator::~Replicator() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void Replicator::wake(WakeReason reason) {
    {
        const std::lock_guard lock(m_mutex);
        m_woken = true;
        // A version was just committed: it is pending until a pass says otherwise.
        if (reason == WakeReason::committed) {
            ++m_status.pending_versions;
        }
    }
    m_wake.notify_all();
}

ReplicaStatus Replicator::status() const {
    const std::lock_guard lock(m_mutex);
    return m_status;
}

// The credentials are read here, not when the daemon starts: a missing or unsafe
// credentials file is a replica error shown in status, never a reason to stop backups.
std::unique_ptr<s3::TransferPool> Replicator::connect() {
    auto credentials = s3::load_credentials(m_options.credentials_file);
    if (!credentials) {
        throw Error(credentials.error(), ErrorCode::invalid_config);
    }
    s3::ClientOptions client_options;
    client_options.max_send_bytes_per_second = m_options.bandwidth;
    client_options.max_receive_bytes_per_second = m_options.bandwidth;
    client_options.stop = &m_stop;
    client_options.credentials_file = m_options.credentials_file.string();
    return std::make_unique<s3::TransferPool>(m_options.location, *credentials, client_options,
                                              m_options.parallel);
}

void Replicator::run() {
    std::unique_ptr<s3::TransferPool> pool;
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        const auto wait = m_retry.count() > 0 ? m_retry : m_options.period;
        m_wake.wait_for(lock, wait, [this] { return m_stop || m_woken; });
        if (m_stop) {
            break;
        }
        m_woken = false;
        m_status.running = true;
        lock.unlock();
        try {
            if (!pool) {
                pool = connect();
            }
            pass(*pool);
        } catch (const std::exception& error) {
            note_failure(error);
            save_state();
            // Read the credentials again next time: the admin may have fixed them.
            pool.reset();
        }
        lock.lock();
        m_status.running = false;
    }
}

void Replicator::pass(s3::TransferPool& pool) {
    const SystemTime started = m_clock.now();
    for (;;) {
        PassReport report = sync_once(m_options.vault, pool);
        m_known = std::move(report.remote_after);
        // What is pending now: versions committed during the pass are not on the replica.
        const SyncPlan left = plan_sync(list_vault_files(m_options.vault), m_known);
        {
            const std::lock_guard lock(m_mutex);
            m_status.uploaded_bytes += report.uploaded_bytes;
            m_status.pending_versions = left.pending_versions;
            m_status.pending_bytes = left.pending_bytes;
            m_status.oldest_pending = left.oldest_pending;
        }
        if (report.uploaded_files > 0) {
            spdlog::info("replica {}: {} files ({}) uploaded in {}", m_options.name,
                         report.uploaded_files, format_bytes(report.uploaded_bytes),
                         format_elapsed(std::chrono::duration_cast<std::chrono::milliseconds>(
                             m_clock.now() - started)));
        }
        if (m_stop) {
            return; // cancelled: neither a success nor a failure
        }
        if (report.complete) {
            break;
        }
    }
    retain(pool);
    {
        const std::lock_guard lock(m_mutex);
        m_status.last_attempt = started;
        m_status.last_success = m_clock.now();
        m_status.last_error.clear();
        m_status.last_error_kind.clear();
        m_retry = std::chrono::milliseconds(0);
    }
    save_state();
}

void Replicator::retain(s3::TransferPool& pool) {
    const auto local = list_vault_files(m_options.vault);
    const RetentionReport removed =
        apply_retention(m_options.vault, local, m_known, m_retention, m_clock.now(),
                        m_options.keep_removed, pool, m_options.sealing);
    {
        const std::lock_guard lock(m_mutex);
        m_status.removed_versions += removed.versions;
        m_status.awaiting_removal = m_retention.removed_since.size();
    }
    if (removed.versions + removed.packs + removed.indexes > 0) {
        spdlog::info("replica {}: removed {} version(s) the vault removed more than {} ago, {} "
                     "pack(s) and {} index file(s) no version there needs ({})",
                     m_options.name, removed.versions, format_elapsed(m_options.keep_removed),
                     removed.packs, removed.indexes, format_bytes(removed.bytes));
    }
}

void Replicator::note_failure(const std::exception& error) {
    const auto* s3_error = dynamic_cast<const s3::S3Error*>(&error);
    const auto* local_error = dynamic_cast<const Error*>(&error);
    std::string kind = "local";
    if (s3_error != nullptr) {
        kind = s3::to_string(s3_error->kind());
    } else if (dynamic_cast<const ReplicaRefused*>(&error) != nullptr) {
        kind = local_error->code() == ErrorCode::conflict ? "another_vault" : "damaged_replica";
    } else if (local_error != nullptr && local_error->code() == ErrorCode::invalid_config) {
        kind = "credentials_file";
    } else if (local_error != nullptr && local_error->code() == ErrorCode::corrupt) {
        kind = "damaged_file";
    }
    if (s3_error != nullptr && s3_error->kind() == s3::FailureKind::cancelled) {
        return; // stopping
    }
    // What is still pending, for status: the vault against what the replica held after
    // the last pass (no request: the replica may be unreachable).
    std::optional<SyncPlan> left;
    try {
        left = plan_sync(list_vault_files(m_options.vault), m_known);
    } catch (const std::exception&) {
        // the vault cannot be listed: keep the last numbers
    }
    std::unique_lock lock(m_mutex);
    const bool news = m_status.last_error != error.what();
    m_status.last_attempt = m_clock.now();
    m_status.last_error = error.what();
    m_status.last_error_kind = kind;
    if (left) {
        m_status.pending_versions = left->pending_versions;
        m_status.pending_bytes = left->pending_bytes;
        m_status.oldest_pending = left->oldest_pending;
    }
    m_retry =
        m_retry.count() == 0 ? m_options.first_retry : std::min(m_retry * 2, m_options.max_retry);
    lock.unlock();
    // Once per distinct error, not once per retry.
    if (news) {
        spdlog::warn("replica {}: {}", m_options.name, error.what());
        if (m_options.on_failure) {
            m_options.on_failure(kind, error.what());
        }
    }
}

void Replicator::load_state() {
    auto text = fs::read_file(m_options.state_file, 1u << 20);
    if (!text) {
        return; // first start
    }
    const Json state = Json::parse(*text, nullptr, false);
    if (!state.is_object()) {
        spdlog::warn("replica {}: {} is not JSON; its last success and error are forgotten",
                     m_options.name, m_options.state_file.string());
        return;
    }
    m_status.last_success = time_from(state, "last_success");
    m_status.last_attempt = time_from(state, "last_attempt");
    m_status.last_error = state.value("last_error", "");
    m_status.last_error_kind = state.value("last_error_kind", "");
    if (state.contains("removed_since") && state["removed_since"].is_object()) {
        for (const auto& [key, time] : state["removed_since"].items()) {
            auto since = time.is_string() ? parse_time(time.get<std::string>())
                                          : Result<SystemTime>(failure("not a time"));
            if (since) {
                m_retention.removed_since.emplace(key, *since);
            }
        }
    }
    m_status.awaiting_removal = m_retention.removed_since.size();
}

void Replicator::save_state() const {
    Json state;
    {
        const std::lock_guard lock(m_mutex);
        state = {{"last_success", time_to(m_status.last_success)},
                 {"last_attempt", time_to(m_status.last_attempt)},
                 {"last_error", m_status.last_error},
                 {"last_error_kind", m_status.last_error_kind}};
    }
    // Written by the thread only, like m_retention.
    Json removed_since = Json::object();
    for (const auto& [key, since] : m_retention.removed_since) {
        removed_since[key] = format_utc(since);
    }
    state["removed_since"] = std::move(removed_since);
    const auto dir = m_options.state_file.parent_path();
    auto written = fs::create_directories_durable(dir).and_then(
        [&] { return fs::write_file_atomic(m_options.state_file, state.dump() + "\n"); });
    if (!written) {
        spdlog::warn("replica {}: cannot keep its state: {}", m_options.name, written.error());
    }
}

} // namespace mv::replica
