#pragma once
// A control command (ARCHITECTURE.md, daemon/): its name, the access it needs, and a handler that
// maps a request to a response through a Responder. Handlers run on the I/O thread and must not
// block; long work goes to the job queues and answers later.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/access.hpp"
#include "ipc/peer.hpp"
#include "ipc/responder.hpp"
#include "util/fd.hpp"

namespace mv::daemon {

class Services;

struct CommandContext {
    Services& services; ///< what handlers may use of the daemon (services.hpp)
    const ipc::Peer& peer;
    const nlohmann::json& args;
    std::shared_ptr<ipc::Responder> responder;
    std::vector<UniqueFd> fds; ///< descriptors passed with the request (import)
};

/// Whether requests go to the audit log (docs/NOTIFICATIONS.md, "Audit log"): by default
/// those of write commands (they change something); read commands that hand out model
/// data say Audit::yes, write commands that change nothing (audit itself) Audit::no.
enum class Audit { by_access, yes, no };

struct Command {
    std::string name;
    AccessLevel access = AccessLevel::read;
    std::string summary; ///< one line, for `help`
    std::function<void(CommandContext&)> handle;
    Audit audit = Audit::by_access;
};

/// True when requests of `command` are recorded in the audit log.
inline bool is_audited(const Command& command) {
    return command.audit == Audit::yes ||
           (command.audit == Audit::by_access && command.access == AccessLevel::write);
}

/// Calls `command`'s handler; an exception it throws fails the responder (Error with its
/// code, anything else as internal).
void run_handler(const Command& command, CommandContext& context);

class CommandRegistry {
public:
    void add(Command command);
    const Command* find(const std::string& name) const;
    const std::map<std::string, Command>& all() const { return m_commands; }

private:
    std::map<std::string, Command> m_commands;
};

/// Registers every command; one explicit list, no static self-registration.
void register_all(CommandRegistry& registry);

} // namespace mv::daemon
