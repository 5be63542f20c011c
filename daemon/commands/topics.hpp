#pragma once
// One registration function per topic file in daemon/commands/.

#include "daemon/command.hpp"

namespace mv::daemon::commands {

void register_info(CommandRegistry& registry);      ///< version, status, reload
void register_versions(CommandRegistry& registry);  ///< list, show
void register_backup(CommandRegistry& registry);    ///< backup
void register_restore(CommandRegistry& registry);   ///< restore
void register_verify(CommandRegistry& registry);    ///< verify
void register_retention(CommandRegistry& registry); ///< prune, tag
void register_import(CommandRegistry& registry);    ///< import
void register_rollback(CommandRegistry& registry);  ///< rollback, rollback_done
void register_diff(CommandRegistry& registry);      ///< diff
void register_audit(CommandRegistry& registry);     ///< audit
void register_annotate(CommandRegistry& registry);  ///< note, delete
void register_compare(CommandRegistry& registry);   ///< compare
void register_stats(CommandRegistry& registry);     ///< stats

} // namespace mv::daemon::commands
