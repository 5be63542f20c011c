#pragma once
// The D-Bus service org.modelvault.Daemon1 through sd-bus (docs/NOTIFICATIONS.md,
// "D-Bus"): object /org/modelvault/Daemon1 with the properties Version, Watches, Versions
// and LastBackup, the methods Status() and Backup(model), and the signals
// VersionCreated(model, version, trigger) and BackupFailed(model, error). The bus
// connection's descriptor is served by the daemon's Asio event loop (sd_bus_get_fd,
// sd_bus_get_events, sd_bus_get_timeout): everything here runs on the I/O thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "util/error.hpp"

namespace mv::sd {

/// Who called a method, from the bus (its uid as the bus daemon saw it at connect time).
struct BusCaller {
    uid_t uid = 0;
    pid_t pid = 0;
};

struct BusLastBackup {
    std::string model; ///< "" when nothing was backed up since the daemon started
    std::string version;
    std::string time; ///< ISO 8601 UTC
};

/// The answer to Backup(model): status "committed", "unchanged", "skipped" or "failed";
/// or, when the request itself was refused, a D-Bus error.
struct BusBackupAnswer {
    std::string status;
    std::string version;
    std::string message;
    bool failed = false; ///< answer with the D-Bus error of `code` and `message`
    ErrorCode code = ErrorCode::internal;
};

/// What the daemon provides; called on the I/O thread. Methods throw mv::Error to answer
/// with a D-Bus error (forbidden → org.freedesktop.DBus.Error.AccessDenied, others
/// org.modelvault.Error.<code>).
class BusBackend {
public:
    virtual ~BusBackend() = default;
    virtual std::vector<std::string> watches() const = 0;
    virtual std::uint64_t versions() const = 0;
    virtual BusLastBackup last_backup() const = 0;
    /// The JSON of `modelvaultctl --json status`.
    virtual std::string status(const BusCaller& caller) = 0;
    /// Starts a backup; `done` may be called later from any thread, once.
    virtual void backup(const BusCaller& caller, const std::string& model,
                        std::function<void(BusBackupAnswer)> done) = 0;
};

inline constexpr const char* k_bus_name = "org.modelvault.Daemon1";
inline constexpr const char* k_bus_path = "/org/modelvault/Daemon1";
inline constexpr const char* k_bus_interface = "org.modelvault.Daemon1";

class BusService {
public:
    /// Connects to `bus` ("system", "session" or an address), exports the object and owns
    /// k_bus_name. Throws Error saying what to do when any of that fails (most often: the
    /// policy file that lets the daemon own the name is not installed).
    BusService(boost::asio::io_context& io, const std::string& bus, BusBackend& backend);
    ~BusService();
    BusService(const BusService&) = delete;
    BusService& operator=(const BusService&) = delete;

    /// Emits VersionCreated and a PropertiesChanged for Versions and LastBackup.
    void version_created(const std::string& model, const std::string& version,
                         const std::string& trigger);
    /// Emits PropertiesChanged invalidating Watches (after a reload).
    void watches_changed();
    /// False once the connection failed (a reload connects again).
    bool connected() const;

    /// Emits BackupFailed.
    void backup_failed(const std::string& model, const std::string& error);

    /// The bus as configured ("system", "session" or the address).
    const std::string& bus() const;

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

} // namespace mv::sd
