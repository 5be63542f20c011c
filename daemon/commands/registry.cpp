#include <spdlog/spdlog.h>

#include "daemon/command.hpp"
#include "daemon/commands/topics.hpp"
#include "util/error.hpp"

namespace mv::daemon {

void run_handler(const Command& command, CommandContext& context) {
    try {
        command.handle(context);
    } catch (const Error& e) {
        context.responder->fail(e.code(), e.what());
    } catch (const std::exception& e) {
        spdlog::error("command {} failed: {}", command.name, e.what());
        context.responder->fail(ErrorCode::internal, e.what());
    }
}

void CommandRegistry::add(Command command) {
    const std::string name = command.name;
    m_commands.insert_or_assign(name, std::move(command));
}

const Command* CommandRegistry::find(const std::string& name) const {
    const auto it = m_commands.find(name);
    return it == m_commands.end() ? nullptr : &it->second;
}

void register_all(CommandRegistry& registry) {
    commands::register_info(registry);
    commands::register_versions(registry);
    commands::register_backup(registry);
    commands::register_restore(registry);
    commands::register_verify(registry);
    commands::register_retention(registry);
    commands::register_import(registry);
    commands::register_rollback(registry);
    commands::register_diff(registry);
    commands::register_audit(registry);
    commands::register_annotate(registry);
    commands::register_compare(registry);
    commands::register_stats(registry);
}

} // namespace mv::daemon
