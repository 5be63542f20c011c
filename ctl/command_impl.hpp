#pragma once
// The run functions behind ctl/commands.cpp's table (one file per topic).

#include "ctl/app.hpp"
#include "ctl/args.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/request.hpp"

namespace mv::ctl {

int run_status(const GlobalOptions& global, const ParsedArgs& args);
int run_list(const GlobalOptions& global, const ParsedArgs& args);
int run_show(const GlobalOptions& global, const ParsedArgs& args);
int run_history(const GlobalOptions& global, const ParsedArgs& args);
int run_backup(const GlobalOptions& global, const ParsedArgs& args);
int run_restore(const GlobalOptions& global, const ParsedArgs& args);
int run_export(const GlobalOptions& global, const ParsedArgs& args);
int run_verify(const GlobalOptions& global, const ParsedArgs& args);
int run_verify_signatures(const GlobalOptions& global, const ParsedArgs& args);
int run_reload(const GlobalOptions& global, const ParsedArgs& args);
int run_prune(const GlobalOptions& global, const ParsedArgs& args);
int run_tag(const GlobalOptions& global, const ParsedArgs& args);
int run_note(const GlobalOptions& global, const ParsedArgs& args);
int run_delete(const GlobalOptions& global, const ParsedArgs& args);
int run_compare(const GlobalOptions& global, const ParsedArgs& args);
int run_stats(const GlobalOptions& global, const ParsedArgs& args);
int run_import(const GlobalOptions& global, const ParsedArgs& args);
int run_rollback(const GlobalOptions& global, const ParsedArgs& args);
int run_diff(const GlobalOptions& global, const ParsedArgs& args);
int run_version(const GlobalOptions& global, const ParsedArgs& args);
int run_audit(const GlobalOptions& global, const ParsedArgs& args);
int run_key(const GlobalOptions& global, const ParsedArgs& args);
int run_vault(const GlobalOptions& global, const ParsedArgs& args);
int run_report(const GlobalOptions& global, const ParsedArgs& args);
/// `list --replica NAME` (ctl/cmd_replica.cpp): read from the bucket, not the daemon.
int list_replica(const GlobalOptions& global, const ParsedArgs& args, const std::string& name);
/// `restore MODEL[@SEL] --replica NAME --to DIR` (ctl/cmd_replica.cpp).
int restore_replica(const GlobalOptions& global, const ParsedArgs& args, const std::string& name);
/// `verify --replica NAME` (ctl/replica_verify.cpp).
int verify_replica(const GlobalOptions& global, const ParsedArgs& args, const std::string& name);

/// Exactly `count` positional arguments, or a UsageError naming the command's usage.
void expect_positional(const ParsedArgs& args, std::size_t min, std::size_t max, const char* usage);

} // namespace mv::ctl
