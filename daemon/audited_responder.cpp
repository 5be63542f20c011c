#include "daemon/audited_responder.hpp"

#include <atomic>

#include <fmt/format.h>

#include "daemon/access.hpp"

namespace mv::daemon {

namespace {

class AuditedResponder final : public ipc::Responder {
public:
    AuditedResponder(std::shared_ptr<ipc::Responder> inner, audit::AuditLog& log,
                     audit::AuditRecord record)
        : m_inner(std::move(inner)), m_log(log), m_record(std::move(record)) {}

    void progress(nlohmann::json progress) override { m_inner->progress(std::move(progress)); }

    void succeed(nlohmann::json result, UniqueFd fd) override {
        record("ok", {});
        m_inner->succeed(std::move(result), std::move(fd));
    }

    void fail(ErrorCode code, std::string message) override {
        record(code == ErrorCode::forbidden ? "denied" : "failed",
               fmt::format("{}: {}", to_string(code), message));
        m_inner->fail(code, std::move(message));
    }

    bool connected() const override { return m_inner->connected(); }

private:
    void record(const char* result, std::string error) {
        if (m_recorded.exchange(true)) {
            return;
        }
        audit::AuditRecord record = m_record;
        record.result = result;
        record.error = std::move(error);
        m_log.append(record);
    }

    std::shared_ptr<ipc::Responder> m_inner;
    audit::AuditLog& m_log;
    audit::AuditRecord m_record;
    std::atomic<bool> m_recorded{false};
};

} // namespace

audit::AuditRecord audit_record(const ipc::Peer& peer, const std::string& command,
                                const nlohmann::json& args, const char* via, SystemTime now) {
    audit::AuditRecord record;
    record.time = now;
    record.uid = static_cast<long long>(peer.uid);
    record.user = account_name(peer.uid);
    record.pid = static_cast<long long>(peer.pid);
    record.command = command;
    record.target = audit::describe_target(args);
    record.via = via;
    return record;
}

std::shared_ptr<ipc::Responder> audited(std::shared_ptr<ipc::Responder> inner, audit::AuditLog& log,
                                        audit::AuditRecord record) {
    return std::make_shared<AuditedResponder>(std::move(inner), log, std::move(record));
}

} // namespace mv::daemon
