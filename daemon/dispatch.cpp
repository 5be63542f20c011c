// How a request becomes a command run (docs/PROTOCOL.md, "Access"; docs/HTTP.md,
// "Tokens"): the command is looked up, audited when it must be, checked against the
// peer's access lists or the HTTP token's grant, and run.
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "daemon/audited_responder.hpp"
#include "daemon/daemon.hpp"

namespace mv::daemon {

const Command* Daemon::find_command(const std::string& name, ipc::Responder& responder) const {
    const Command* command = m_commands.find(name);
    if (command == nullptr) {
        std::vector<std::string> names;
        for (const auto& [known, c] : m_commands.all()) {
            names.push_back(known);
        }
        responder.fail(ErrorCode::not_found, fmt::format("unknown command \"{}\"; commands are: {}",
                                                         name, fmt::join(names, ", ")));
    }
    return command;
}

void Daemon::dispatch(const ipc::Peer& peer, ipc::Request request,
                      std::shared_ptr<ipc::Responder> responder, const char* via) {
    const Command* command = find_command(request.command, *responder);
    if (command == nullptr) {
        return;
    }
    if (is_audited(*command)) {
        // Every request that reads model data or changes something, allowed or not, is
        // recorded with its result (docs/NOTIFICATIONS.md, "Audit log").
        responder = audited(std::move(responder), m_notifications->audit(),
                            audit_record(peer, command->name, request.args, via, m_clock.now()));
    }
    if (auto denied = m_access->check(peer, command->name, command->access)) {
        spdlog::warn("denied `{}` to {}", command->name, describe_peer(peer));
        responder->fail(ErrorCode::forbidden, *denied);
        return;
    }
    run_command(*command, peer, std::move(request), std::move(responder));
}

void Daemon::dispatch_granted(AccessLevel granted, const std::string& holder, ipc::Request request,
                              std::shared_ptr<ipc::Responder> responder) {
    const Command* command = find_command(request.command, *responder);
    if (command == nullptr) {
        return;
    }
    // The command runs as the daemon itself; the token decides what it may run.
    const ipc::Peer self{0, ::getuid(), ::getgid()};
    if (is_audited(*command)) {
        auto record = audit_record(self, command->name, request.args, "http", m_clock.now());
        record.uid = -1;
        record.user = holder;
        responder = audited(std::move(responder), m_notifications->audit(), std::move(record));
    }
    if (granted == AccessLevel::read && command->access == AccessLevel::write) {
        spdlog::warn("denied `{}` to {} over HTTP", command->name, holder);
        responder->fail(ErrorCode::forbidden,
                        fmt::format("`{}` needs a write token, as it needs write access on the "
                                    "socket; {} is a read token (docs/HTTP.md, \"Tokens\")",
                                    command->name, holder));
        return;
    }
    run_command(*command, self, std::move(request), std::move(responder));
}

void Daemon::run_command(const Command& command, const ipc::Peer& peer, ipc::Request request,
                         std::shared_ptr<ipc::Responder> responder) {
    CommandContext context{*this, peer, request.args, responder, std::move(request.fds)};
    run_handler(command, context);
}

} // namespace mv::daemon
