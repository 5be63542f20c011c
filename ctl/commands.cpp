#include "ctl/commands.hpp"

#include <fmt/format.h>

#include "ctl/command_impl.hpp"

namespace mv::ctl {

void expect_positional(const ParsedArgs& args, std::size_t min, std::size_t max,
                       const char* usage) {
    const std::size_t count = args.positional().size();
    if (count < min || count > max) {
        throw UsageError(fmt::format("usage: modelvaultctl {}", usage));
    }
}

const std::vector<CommandInfo>& all_commands() {
    static const std::vector<CommandInfo> k_commands = {
        {"status",
         "status",
         "the daemon, the vault, each watch, the queue and the last error",
         "Shows the daemon's version, pid and uptime; the vault's size and free space; for each\n"
         "watch its state (watching, missing, error), model count and last backup; what is\n"
         "queued or running; counters since start; and the last error.\n\n"
         "example:\n  modelvaultctl status\n  modelvaultctl --json status | jq .watches",
         {},
         run_status},
        {"list",
         "list [MODEL] [--tag T] [--since TIME] [--until TIME] [--limit N]",
         "versions, newest first",
         "Lists versions of every model, or of MODEL, newest first. TIME is ISO 8601\n"
         "(2026-11-22, 2026-11-22T08:30, 2026-11-22T08:30:00+01:00; UTC when no zone).\n\n"
         "examples:\n  modelvaultctl list\n  modelvaultctl list lab/agents/dqn.pkl --limit 5\n"
         "  modelvaultctl list --tag best --since 2026-11-01",
         {{"tag", true, false},
          {"since", true, false},
          {"until", true, false},
          {"limit", true, false}},
         run_list},
        {"show",
         "show MODEL[@SEL]",
         "one version's manifest in full",
         "Shows what a version holds and why it was made: files with sizes, formats and\n"
         "SHA-256, trigger and reason, metrics, archive. SEL is an exact version (1.4.2),\n"
         "a prefix (1.4 = highest 1.4.x), latest, best, a tag, or @TIME (newest at or\n"
         "before TIME). Without @SEL: the latest version.\n\n"
         "examples:\n  modelvaultctl show lab/agents/dqn.pkl\n  modelvaultctl show "
         "lab/agents/dqn.pkl@1.0\n"
         "  modelvaultctl show lab/agents/dqn.pkl@@2026-11-22T08:00",
         {},
         run_show},
        {"backup",
         "backup MODEL... | --all [--bump major|minor|patch] [--tag T]... [--note TEXT]",
         "back up now and wait for the versions",
         "Backs up the named models (or every model in every watched folder) now, waits\n"
         "until each version is committed and prints it, or \"unchanged, same as X\" when\n"
         "the files are identical to a version already in the vault. MODEL is\n"
         "WATCH/PATH as `list` shows it.\n\n"
         "examples:\n  modelvaultctl backup lab/agents/dqn.pkl\n"
         "  modelvaultctl backup lab/agents/dqn.pkl --bump minor --tag baseline --note 'before "
         "refactor'\n"
         "  modelvaultctl backup --all",
         {{"all", false, false}, {"bump", true, false}, {"tag", true, true}, {"note", true, false}},
         run_backup},
        {"restore",
         "restore MODEL[@SEL] --to DIR [--force]",
         "verified extraction of a version into DIR",
         "Extracts a version into DIR (created if needed) as you: the files belong to you and\n"
         "land only where you may write. Every file's SHA-256 is checked before anything is\n"
         "put in place; existing files are never replaced without --force.\n\n"
         "examples:\n  modelvaultctl restore lab/agents/dqn.pkl --to /tmp/dqn\n"
         "  modelvaultctl restore lab/agents/dqn.pkl@1.0.0 --to . --force",
         {{"to", true, false}, {"force", false, false}},
         run_restore},
        {"verify",
         "verify [MODEL[@SEL]] [--all]",
         "re-read archives and check every hash",
         "Re-reads stored archives and checks the archive's SHA-256 and every file's SHA-256\n"
         "and size against the manifest. MODEL alone checks all its versions, MODEL@SEL one,\n"
         "--all everything. Exits 1 and names each corrupt version and file when any fails.\n\n"
         "examples:\n  modelvaultctl verify --all\n  modelvaultctl verify "
         "lab/agents/dqn.pkl@latest",
         {{"all", false, false}},
         run_verify},
        {"history",
         "history MODEL",
         "the audit history of `best` and `current` moves",
         "Shows when the model's `best` version (chosen by the improvement trigger) and its\n"
         "`current` version (set by rollback) moved, from which version to which, why, and who\n"
         "asked.\n\nexample:\n  modelvaultctl history lab/agents/dqn.pkl",
         {},
         run_history},
        {"reload",
         "reload",
         "re-read the config file (same as SIGHUP)",
         "Asks the daemon to re-read its configuration. An invalid file is rejected with every\n"
         "problem listed and the running configuration stays in effect.",
         {},
         run_reload},
        {"version", "version", "versions of modelvaultctl and the daemon", "", {}, run_version},
    };
    return k_commands;
}

} // namespace mv::ctl
