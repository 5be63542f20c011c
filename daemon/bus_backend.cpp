#include "daemon/bus_backend.hpp"

#include <pwd.h>

#include "daemon/daemon.hpp"

namespace mv::daemon {

namespace {

// The socket gives the primary group with the uid; on the bus it comes from the user
// database, as the access rules look up supplementary groups there anyway.
ipc::Peer peer_of(const sd::BusCaller& caller) {
    ipc::Peer peer{caller.pid, caller.uid, static_cast<gid_t>(-1)};
    struct passwd entry {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwuid_r(caller.uid, &entry, buffer.data(), buffer.size(), &found) == 0 &&
        found != nullptr) {
        peer.gid = found->pw_gid;
    }
    return peer;
}

// Collects the one answer of a request made on behalf of a D-Bus caller.
class BusResponder final : public ipc::Responder {
public:
    using Done =
        std::function<void(bool ok, nlohmann::json result, ErrorCode code, std::string message)>;
    explicit BusResponder(Done done) : m_done(std::move(done)) {}
    void progress(nlohmann::json) override {}
    void succeed(nlohmann::json result, UniqueFd) override {
        m_done(true, std::move(result), ErrorCode::internal, {});
    }
    void fail(ErrorCode code, std::string message) override {
        m_done(false, nullptr, code, std::move(message));
    }
    bool connected() const override { return true; }

private:
    Done m_done;
};

} // namespace

std::vector<std::string> DaemonBusBackend::watches() const {
    std::vector<std::string> names;
    for (const auto& watch : m_daemon.config().watches) {
        names.push_back(watch.name);
    }
    return names;
}

std::uint64_t DaemonBusBackend::versions() const {
    return m_daemon.vault().stats().versions;
}

sd::BusLastBackup DaemonBusBackend::last_backup() const {
    std::optional<BackupService::LastBackup> last;
    for (const auto& watch : m_daemon.config().watches) {
        const auto candidate = m_daemon.backups().last_backup(watch.name);
        if (candidate && (!last || candidate->time > last->time)) {
            last = candidate;
        }
    }
    return last ? sd::BusLastBackup{last->model, last->version, format_utc(last->time)}
                : sd::BusLastBackup{};
}

std::string DaemonBusBackend::status(const sd::BusCaller& caller) {
    // `status` answers before dispatch() returns.
    std::optional<std::string> answer;
    std::optional<Error> error;
    m_daemon.dispatch(peer_of(caller), ipc::Request{0, "status", nlohmann::json::object(), {}},
                      std::make_shared<BusResponder>(
                          [&](bool ok, nlohmann::json result, ErrorCode code, std::string text) {
                              if (ok) {
                                  answer = result.dump();
                              } else {
                                  error.emplace(std::move(text), code);
                              }
                          }),
                      "dbus");
    if (error) {
        throw *error;
    }
    return answer.value_or("{}");
}

void DaemonBusBackend::backup(const sd::BusCaller& caller, const std::string& model,
                              std::function<void(sd::BusBackupAnswer)> done) {
    auto responder = std::make_shared<BusResponder>(
        [done](bool ok, nlohmann::json result, ErrorCode code, std::string text) {
            sd::BusBackupAnswer answer;
            if (!ok) {
                answer.failed = true;
                answer.code = code;
                answer.message = std::move(text);
            } else if (!result["results"].empty()) {
                const auto& row = result["results"][0];
                answer.status = row.value("status", "");
                answer.version = row.value("version", "");
                answer.message = row.value("message", "");
            }
            done(std::move(answer));
        });
    m_daemon.dispatch(peer_of(caller),
                      ipc::Request{0, "backup", {{"models", nlohmann::json::array({model})}}, {}},
                      responder, "dbus");
}

} // namespace mv::daemon
