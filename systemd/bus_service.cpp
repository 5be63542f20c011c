#include "systemd/bus_service.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <poll.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-bus.h>

#include "util/error.hpp"
#include "util/time.hpp"

namespace mv::sd {

namespace {

using boost::asio::posix::stream_descriptor;

// D-Bus error names for our error codes: the standard ones where they exist.
std::string error_name(ErrorCode code) {
    switch (code) {
    case ErrorCode::forbidden:
        return SD_BUS_ERROR_ACCESS_DENIED;
    case ErrorCode::invalid_argument:
        return SD_BUS_ERROR_INVALID_ARGS;
    default:
        return fmt::format("org.modelvault.Error.{}", to_string(code));
    }
}

struct MessageRef {
    sd_bus_message* message;
    explicit MessageRef(sd_bus_message* m) : message(sd_bus_message_ref(m)) {}
    ~MessageRef() { sd_bus_message_unref(message); }
    MessageRef(const MessageRef&) = delete;
    MessageRef& operator=(const MessageRef&) = delete;
};

} // namespace

struct BusService::Impl : std::enable_shared_from_this<BusService::Impl> {
    Impl(boost::asio::io_context& io_context, std::string bus_text, BusBackend& bus_backend)
        : io(io_context), descriptor(io_context), timer(io_context), bus_name(std::move(bus_text)),
          backend(bus_backend) {}

    ~Impl() {
        if (descriptor.is_open()) {
            boost::system::error_code ignored;
            descriptor.cancel(ignored);
            descriptor.release(); // sd-bus owns and closes it
        }
        sd_bus_slot_unref(slot);
        sd_bus_flush_close_unref(bus);
    }

    void connect();
    void pump();
    void arm();
    BusCaller caller_of(sd_bus_message* message);
    void reply_later(const std::shared_ptr<MessageRef>& call, BusBackupAnswer answer);

    boost::asio::io_context& io;
    stream_descriptor descriptor;
    boost::asio::steady_timer timer;
    std::string bus_name;
    BusBackend& backend;
    sd_bus* bus = nullptr;
    sd_bus_slot* slot = nullptr;
    bool reading = false;
    bool writing = false;
    bool broken = false;
};

namespace {

BusService::Impl& impl_of(void* userdata) {
    return *static_cast<BusService::Impl*>(userdata);
}

int fail(sd_bus_error* error, const std::exception& e) {
    const auto* ours = dynamic_cast<const Error*>(&e);
    const std::string name = error_name(ours != nullptr ? ours->code() : ErrorCode::internal);
    return sd_bus_error_set(error, name.c_str(), e.what());
}

int get_version(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*,
                sd_bus_error*) {
    return sd_bus_message_append(reply, "s", MV_VERSION);
}

int get_watches(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                void* userdata, sd_bus_error*) {
    int r = sd_bus_message_open_container(reply, 'a', "s");
    for (const auto& watch : impl_of(userdata).backend.watches()) {
        r = r < 0 ? r : sd_bus_message_append(reply, "s", watch.c_str());
    }
    return r < 0 ? r : sd_bus_message_close_container(reply);
}

int get_versions(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                 void* userdata, sd_bus_error*) {
    return sd_bus_message_append(reply, "t",
                                 static_cast<std::uint64_t>(impl_of(userdata).backend.versions()));
}

int get_last_backup(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                    void* userdata, sd_bus_error*) {
    const BusLastBackup last = impl_of(userdata).backend.last_backup();
    return sd_bus_message_append(reply, "(sss)", last.model.c_str(), last.version.c_str(),
                                 last.time.c_str());
}

int call_status(sd_bus_message* message, void* userdata, sd_bus_error* error) {
    BusService::Impl& impl = impl_of(userdata);
    try {
        const std::string status = impl.backend.status(impl.caller_of(message));
        return sd_bus_reply_method_return(message, "s", status.c_str());
    } catch (const std::exception& e) {
        return fail(error, e);
    }
}

int call_backup(sd_bus_message* message, void* userdata, sd_bus_error* error) {
    BusService::Impl& impl = impl_of(userdata);
    const char* model = nullptr;
    if (const int r = sd_bus_message_read(message, "s", &model); r < 0) {
        return r;
    }
    try {
        auto call = std::make_shared<MessageRef>(message);
        std::weak_ptr<BusService::Impl> weak = impl.shared_from_this();
        impl.backend.backup(impl.caller_of(message), model,
                            [weak, call, &io = impl.io](BusBackupAnswer answer) {
                                boost::asio::post(io, [weak, call, answer = std::move(answer)] {
                                    if (auto self = weak.lock()) {
                                        self->reply_later(call, answer);
                                    }
                                });
                            });
        return 1; // answered later
    } catch (const std::exception& e) {
        return fail(error, e);
    }
}

const sd_bus_vtable k_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Version", "s", get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Watches", "as", get_watches, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
    SD_BUS_PROPERTY("Versions", "t", get_versions, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("LastBackup", "(sss)", get_last_backup, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    // Access is decided by the daemon's own rules (access.read/write), like on the socket.
    SD_BUS_METHOD("Status", "", "s", call_status, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Backup", "s", "(sss)", call_backup, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL("VersionCreated", "sss", 0),
    SD_BUS_SIGNAL("BackupFailed", "ss", 0),
    SD_BUS_VTABLE_END,
};

// A name the bus will not let us own is a missing policy file, whichever way the system
// bus was named ("system" or its address): say which file to install.
[[noreturn]] void refuse(const std::string& what, int r, const std::string& bus) {
    const bool no_policy = r == -EACCES || (bus == "system" && r == -EPERM);
    const std::string fix =
        no_policy ? "install the policy file org.modelvault.Daemon1.conf in "
                    "/usr/share/dbus-1/system.d (the Debian package does; `cmake --install` "
                    "does with the /usr prefix) and `systemctl reload dbus`, or remove `dbus` "
                    "from the config"
                  : "check `dbus.bus` in the config, or remove `dbus`";
    throw Error(fmt::format("D-Bus ({}): {}: {}; {}", bus, what, std::strerror(-r), fix),
                ErrorCode::unavailable);
}

} // namespace

void BusService::Impl::connect() {
    int r = 0;
    if (bus_name == "system") {
        r = sd_bus_open_system(&bus);
    } else if (bus_name == "session") {
        r = sd_bus_open_user(&bus);
    } else {
        r = sd_bus_new(&bus);
        r = r < 0 ? r : sd_bus_set_address(bus, bus_name.c_str());
        r = r < 0 ? r : sd_bus_set_bus_client(bus, 1);
        r = r < 0 ? r : sd_bus_start(bus);
    }
    if (r < 0) {
        refuse("cannot connect", r, bus_name);
    }
    r = sd_bus_add_object_vtable(bus, &slot, k_bus_path, k_bus_interface, k_vtable, this);
    if (r < 0) {
        refuse("cannot export " + std::string(k_bus_path), r, bus_name);
    }
    r = sd_bus_request_name(bus, k_bus_name, 0);
    if (r < 0) {
        refuse(fmt::format("cannot own the name {}", k_bus_name), r, bus_name);
    }
    descriptor.assign(sd_bus_get_fd(bus));
}

void BusService::Impl::pump() {
    if (broken) {
        return;
    }
    while (true) {
        const int r = sd_bus_process(bus, nullptr);
        if (r < 0) {
            broken = true;
            spdlog::error("D-Bus ({}): the connection failed: {}; signals and methods stay off "
                          "until the next reload",
                          bus_name, std::strerror(-r));
            return;
        }
        if (r == 0) {
            break;
        }
    }
    arm();
}

void BusService::Impl::arm() {
    std::weak_ptr<Impl> weak = shared_from_this();
    const auto again = [weak](bool Impl::*flag) {
        return [weak, flag](const boost::system::error_code& error) {
            if (auto self = weak.lock()) {
                self.get()->*flag = false;
                if (!error) {
                    self->pump();
                }
            }
        };
    };
    if (!reading) {
        reading = true;
        descriptor.async_wait(stream_descriptor::wait_read, again(&Impl::reading));
    }
    if ((sd_bus_get_events(bus) & POLLOUT) != 0 && !writing) {
        writing = true;
        descriptor.async_wait(stream_descriptor::wait_write, again(&Impl::writing));
    }
    std::uint64_t until = 0; // CLOCK_MONOTONIC µs, UINT64_MAX for none
    if (sd_bus_get_timeout(bus, &until) >= 0 && until != UINT64_MAX) {
        const std::uint64_t now_us = monotonic_usec(system_clock().steady_now());
        timer.expires_after(std::chrono::microseconds(until > now_us ? until - now_us : 0));
        timer.async_wait([weak](const boost::system::error_code& error) {
            if (auto self = weak.lock(); self && !error) {
                self->pump();
            }
        });
    }
}

BusCaller BusService::Impl::caller_of(sd_bus_message* message) {
    sd_bus_creds* creds = nullptr;
    int r = sd_bus_query_sender_creds(message, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID, &creds);
    BusCaller caller;
    uid_t uid = 0;
    r = r < 0 ? r : sd_bus_creds_get_euid(creds, &uid);
    if (r >= 0) {
        caller.uid = uid;
        sd_bus_creds_get_pid(creds, &caller.pid);
    }
    sd_bus_creds_unref(creds);
    if (r < 0) {
        throw Error(fmt::format("cannot tell who is calling: {}", std::strerror(-r)),
                    ErrorCode::forbidden);
    }
    return caller;
}

void BusService::Impl::reply_later(const std::shared_ptr<MessageRef>& call,
                                   BusBackupAnswer answer) {
    if (answer.failed) {
        sd_bus_reply_method_errorf(call->message, error_name(answer.code).c_str(), "%s",
                                   answer.message.c_str());
    } else {
        sd_bus_reply_method_return(call->message, "(sss)", answer.status.c_str(),
                                   answer.version.c_str(), answer.message.c_str());
    }
    arm();
}

BusService::BusService(boost::asio::io_context& io, const std::string& bus, BusBackend& backend)
    : m_impl(std::make_shared<Impl>(io, bus, backend)) {
    m_impl->connect();
    m_impl->pump();
    spdlog::info("D-Bus ({}): serving {} at {}", bus, k_bus_name, k_bus_path);
}

BusService::~BusService() = default;

void BusService::version_created(const std::string& model, const std::string& version,
                                 const std::string& trigger) {
    if (m_impl->broken) {
        return;
    }
    sd_bus_emit_signal(m_impl->bus, k_bus_path, k_bus_interface, "VersionCreated", "sss",
                       model.c_str(), version.c_str(), trigger.c_str());
    sd_bus_emit_properties_changed(m_impl->bus, k_bus_path, k_bus_interface, "Versions",
                                   "LastBackup", nullptr);
    m_impl->arm();
}

void BusService::backup_failed(const std::string& model, const std::string& error) {
    if (m_impl->broken) {
        return;
    }
    sd_bus_emit_signal(m_impl->bus, k_bus_path, k_bus_interface, "BackupFailed", "ss",
                       model.c_str(), error.c_str());
    m_impl->arm();
}

void BusService::watches_changed() {
    if (m_impl->broken) {
        return;
    }
    sd_bus_emit_properties_changed(m_impl->bus, k_bus_path, k_bus_interface, "Watches", nullptr);
    m_impl->arm();
}

bool BusService::connected() const {
    return !m_impl->broken;
}

const std::string& BusService::bus() const {
    return m_impl->bus_name;
}

} // namespace mv::sd
