#pragma once
// What the D-Bus object serves (docs/NOTIFICATIONS.md, "D-Bus"): its properties from the
// daemon's state, and its methods as requests through Daemon::dispatch() — so a call on
// the bus is checked against access.read/access.write and audited like one on the socket.

#include "systemd/bus_service.hpp"

namespace mv::daemon {

class Daemon;

class DaemonBusBackend final : public sd::BusBackend {
public:
    explicit DaemonBusBackend(Daemon& daemon) : m_daemon(daemon) {}

    std::vector<std::string> watches() const override;
    std::uint64_t versions() const override;
    sd::BusLastBackup last_backup() const override;
    std::string status(const sd::BusCaller& caller) override;
    void backup(const sd::BusCaller& caller, const std::string& model,
                std::function<void(sd::BusBackupAnswer)> done) override;

private:
    Daemon& m_daemon;
};

} // namespace mv::daemon
