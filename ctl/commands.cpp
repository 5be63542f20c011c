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
         "list [MODEL|WATCH] [--tag T] [--since TIME] [--until TIME] [--where 'FIELD OP X']... "
         "[--sort FIELD[:asc]] [--compatible-with FILE] [--offset N] [--limit N] [--replica NAME]",
         "versions, newest first; filter and sort by tags, time, params, metrics and compat",
         "Lists versions of every model, of MODEL, or of every model of WATCH, newest first.\n"
         "TIME is ISO 8601 (2026-11-22, 2026-11-22T08:30, 2026-11-22T08:30:00+01:00; UTC when\n"
         "no zone). --where compares a field with a value: < <= > >= need a number, == and !=\n"
         "also take a string ('dqn', quotes optional) or true/false. FIELD is params.KEY (the\n"
         "watch's params_file), metrics.KEY (KEY is a.b.c or a JSON pointer /a/b), a JSON\n"
         "pointer into the metrics (/eval/win_rate), or a plain metric name found anywhere in\n"
         "them. A version without the field matches no condition; several --where must all\n"
         "hold. --sort orders by a numeric field, highest first (FIELD:asc for lowest\n"
         "first); versions without it come last. The fields named by --where and --sort are\n"
         "shown as columns. --compatible-with FILE keeps the versions whose compat values\n"
         "(the watch's `compat` keys) equal those in FILE, the compat file of the run that\n"
         "will load the model. --offset N skips the first N versions, --limit N shows N: one\n"
         "page of the sorted list.\n"
         "--replica NAME lists what the off-site replica NAME of the daemon's config file\n"
         "(--config FILE) holds, read from the bucket: it needs neither the daemon nor the\n"
         "vault (with MODEL and --limit only; docs/REPLICAS.md).\n\n"
         "examples:\n  modelvaultctl list\n  modelvaultctl list lab/agents/dqn.pkl --limit 5\n"
         "  modelvaultctl list lab --where 'params.alpha==0.1' --where 'params.algorithm!=ppo'\n"
         "  modelvaultctl list --tag best --since 2026-11-01 --offset 20 --limit 20\n"
         "  modelvaultctl list lab/dqn.pkl --where 'metrics.win_rate>=0.6' --where 'episode<5000' "
         "--sort win_rate --limit 3\n"
         "  modelvaultctl list lab/dqn.pkl --compatible-with run/config.json --limit 1",
         {{"tag", true, false},
          {"since", true, false},
          {"until", true, false},
          {"where", true, true},
          {"sort", true, false},
          {"compatible-with", true, false},
          {"offset", true, false},
          {"limit", true, false},
          {"replica", true, false}},
         run_list},
        {"show",
         "show MODEL[@SEL]",
         "one version's manifest in full",
         "Shows what a version holds and why it was made: files with sizes, formats and\n"
         "SHA-256, trigger and reason, metrics, storage. SEL is an exact version (1.4.2),\n"
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
         "the files are identical to a version already in the vault (then --tag labels\n"
         "that version, and --note is added to its notes, saying so). MODEL is WATCH/PATH as\n"
         "`list` shows it.\n\n"
         "examples:\n  modelvaultctl backup lab/agents/dqn.pkl\n"
         "  modelvaultctl backup lab/agents/dqn.pkl --bump minor --tag baseline --note 'before "
         "refactor'\n"
         "  modelvaultctl backup --all",
         {{"all", false, false}, {"bump", true, false}, {"tag", true, true}, {"note", true, false}},
         run_backup},
        {"restore",
         "restore MODEL[@SEL] --to DIR [--force] [--compatible-with FILE] [--replica NAME]",
         "verified extraction of a version into DIR",
         "Extracts a version into DIR (created if needed) as you: the files belong to you and\n"
         "land only where you may write. Every file's SHA-256 is checked before anything is\n"
         "put in place; existing files are never replaced without --force. Sidecars keep\n"
         "their folders (logs/train.log). --compatible-with FILE first compares the version's\n"
         "compat values with those in FILE (the compat file of the run that will load it) and\n"
         "refuses, naming each key with its stored and current value, when any differs.\n"
         "--replica NAME reads the version from the off-site replica NAME of the daemon's\n"
         "config file (--config FILE) instead: it needs neither the daemon nor the vault\n"
         "(best and current as the model's history on the replica says; docs/REPLICAS.md).\n\n"
         "examples:\n  modelvaultctl restore lab/agents/dqn.pkl --to /tmp/dqn\n"
         "  modelvaultctl restore lab/agents/dqn.pkl@1.0.0 --to . --force\n"
         "  modelvaultctl restore lab/dqn.pkl@best --compatible-with run/config.json --to run/",
         {{"to", true, false},
          {"force", false, false},
          {"compatible-with", true, false},
          {"replica", true, false}},
         run_restore},
        {"export",
         "export MODEL[@SEL] [-o FILE|-] [--force] [--decrypt]",
         "one version as a plain archive that tar opens",
         "Writes a version as one zstd-compressed tar archive: manifest.json first, the model's\n"
         "files under model/, its sidecars under sidecars/, and a README.md. `tar --zstd -xf`\n"
         "unpacks it without modelvault, and `modelvaultctl import` brings it back into a\n"
         "vault. Every file's SHA-256 is checked while the archive is written; the file\n"
         "appears under its name only when complete. Without -o it is MODEL-VERSION.tar.zst\n"
         "in the current folder; -o - writes to standard output. An existing file is kept\n"
         "unless --force. A version of an encrypted vault is written in clear only with\n"
         "--decrypt (and the command says so); without it export refuses and writes nothing.\n\n"
         "examples:\n  modelvaultctl export lab/agents/dqn.pkl@1.4.2\n"
         "  modelvaultctl export lab/agents/dqn.pkl@best -o /backup/dqn-best.tar.zst\n"
         "  modelvaultctl export lab/agents/dqn.pkl -o - | ssh host 'cat > dqn.tar.zst'",
         {{"o", true, false},
          {"output", true, false},
          {"force", false, false},
          {"decrypt", false, false}},
         run_export},
        {"diff",
         "diff MODEL@A MODEL@B   (or MODEL@A @B)",
         "compare two versions: files, identical blocks, metrics, compat",
         "Lists the files added, removed and changed between two versions with their sizes\n"
         "and, for each changed file, the share of 1 MiB blocks that are identical at the\n"
         "same offset (how much of a checkpoint really changed); then every recorded metric\n"
         "that differs, with its change, and every compat value that differs.\n\n"
         "examples:\n  modelvaultctl diff lab/dqn.pkl@1.0.0 lab/dqn.pkl@best\n"
         "  modelvaultctl diff lab/dqn.pkl@1.3 @latest\n  modelvaultctl --json diff lab/a.pt@1.0.0 "
         "@2.0.0",
         {},
         run_diff},
        {"compare",
         "compare MODEL@A MODEL@B [MODEL@C]...",
         "an N-way table of versions: params, metrics, compat, sizes",
         "Shows 2 to 16 versions side by side: trigger, size, stored bytes, files and tags,\n"
         "then every parameter (params_file), metric and compat value any of them recorded\n"
         "(nested keys as a.b.c; - where a version has none). Rows where the versions differ\n"
         "are marked *. Below the table: the bytes of the chunks all of them share.\n\n"
         "examples:\n  modelvaultctl compare lab/dqn.pkl@1.0.0 lab/dqn.pkl@best lab/ppo.pkl@best\n"
         "  modelvaultctl --json compare lab/dqn.pkl@1 lab/dqn.pkl@2 | jq '.rows[] | "
         "select(.differs)'",
         {},
         run_compare},
        {"stats",
         "stats [WATCH|MODEL] [--by FIELD] [--over day|week]",
         "versions, bytes, triggers and metric statistics, grouped",
         "Counts the versions and models of the vault (or of WATCH, or of MODEL), their\n"
         "logical bytes (the files' sizes), the pack bytes they stored, and what deduplication\n"
         "and compression saved; versions per trigger; the same per model; and for every\n"
         "numeric metric (by JSON pointer) its count, min, mean, max and best with the\n"
         "version holding it (best is the highest, or the lowest for the metric of an\n"
         "improvement trigger with mode min). --by FIELD groups by a parameter or metric\n"
         "value (params.algorithm: the statistics per algorithm; FIELD as in list --where);\n"
         "--over day|week groups by the UTC day or the week (from Monday) versions were made.\n\n"
         "examples:\n  modelvaultctl stats\n  modelvaultctl stats lab --by params.algorithm\n"
         "  modelvaultctl stats lab/dqn.pkl --over week",
         {{"by", true, false}, {"over", true, false}},
         run_stats},
        {"rollback",
         "rollback MODEL@SEL [--force]",
         "put a version back in its watched folder and mark it current",
         "Replaces the model's files in its watched folder with those of the version, as you\n"
         "(your rights, your ownership), each renamed into place only after its SHA-256\n"
         "matched. The version becomes `current` (shown by list, show and status; recorded in\n"
         "`history`). No new version is made: the files are identical to the one selected.\n"
         "A model whose present files are not backed up yet is refused unless --force.\n"
         "Sidecars (metrics, config files stored with the version) stay as they are; get\n"
         "them with `restore MODEL@SEL --to DIR`.\n\n"
         "examples:\n  modelvaultctl rollback lab/dqn.pkl@1.4.2\n  modelvaultctl rollback "
         "lab/dqn.pkl@best",
         {{"force", false, false}},
         run_rollback},
        {"verify",
         "verify [MODEL[@SEL]] [--all] [--read-data] [--replica NAME] | verify --signatures "
         "--public-key FILE VAULT_DIR|ARCHIVE",
         "check that stored versions are intact",
         "Checks each version's manifest and that every chunk it names is stored (fast: no\n"
         "data is read). With --read-data every chunk is also read back and must hash to its\n"
         "name, and every file to its SHA-256 (like restic's check --read-data). MODEL alone\n"
         "checks all its versions, MODEL@SEL one, --all everything (and reports damaged\n"
         "manifests). Exits 1 and names each corrupt version, file and chunk when any fails.\n"
         "--signatures checks, without the daemon and with the public key alone (`key\n"
         "public`), that every version of the vault folder VAULT_DIR, or the version exported\n"
         "to ARCHIVE, is signed by that key and unchanged (an encrypted vault signs each\n"
         "version); it exits 1 naming each version that is unsigned, changed or signed by\n"
         "another key.\n"
         "--replica NAME checks the off-site replica NAME of the daemon's config file\n"
         "(--config FILE) in the bucket instead, without the daemon or the vault\n"
         "(docs/REPLICAS.md).\n\n"
         "examples:\n  modelvaultctl verify --all\n  modelvaultctl verify --all --read-data\n"
         "  modelvaultctl verify lab/agents/dqn.pkl@latest\n"
         "  modelvaultctl verify --signatures --public-key vault.pub /var/lib/modelvault\n"
         "  modelvaultctl verify --signatures --public-key vault.pub dqn.pkl-1.0.1.tar.zst",
         {{"all", false, false},
          {"read-data", false, false},
          {"signatures", false, false},
          {"public-key", true, false},
          {"replica", true, false}},
         run_verify},
        {"prune",
         "prune [MODEL] [--dry-run]",
         "apply retention now, or show what it would do",
         "Applies each watch's retention policy (docs/CONFIG.md) to every model, or to MODEL.\n"
         "With --dry-run nothing is removed: every version is listed with keep or remove and\n"
         "the rules that keep it (`daily #3`, `tag pinned`, `best`, ...). The newest, the\n"
         "`best` and the `current` version are always kept. The daemon also prunes after\n"
         "every new version and once a day.\n\n"
         "examples:\n  modelvaultctl prune --dry-run\n  modelvaultctl prune lab/dqn.pkl\n"
         "  modelvaultctl --json prune --dry-run | jq '.models[].versions[] | "
         "select(.verdict==\"remove\")'",
         {{"dry-run", false, false}},
         run_prune},
        {"tag",
         "tag MODEL@SEL add|rm TAG",
         "add or remove a tag of a version",
         "Tags are labels for versions: keep them with `keep_tags` in a retention policy\n"
         "(pinned, baseline), select versions with MODEL@TAG. `best`, `current` and `latest`\n"
         "are maintained by modelvaultd and cannot be set by hand.\n\n"
         "examples:\n  modelvaultctl tag lab/dqn.pkl@1.4.2 add pinned\n"
         "  modelvaultctl tag lab/dqn.pkl@baseline rm baseline",
         {},
         run_tag},
        {"note",
         "note MODEL@SEL TEXT [--tag T]...",
         "add a note to a version",
         "Adds TEXT (1 to 4096 bytes) to the version's notes, with who added it and when;\n"
         "--tag labels the note (letters, digits, . _ -). The version's manifest gets a new\n"
         "revision; nothing else changes. `show` prints every note, `list` the newest.\n\n"
         "examples:\n  modelvaultctl note lab/dqn.pkl@1.4.2 'lr too high, diverged at 3k steps'\n"
         "  modelvaultctl note lab/dqn.pkl@best 'shipped to prod' --tag release --tag v7",
         {{"tag", true, true}},
         run_note},
        {"delete",
         "delete MODEL@SEL [--force]",
         "delete a version and reclaim its space",
         "Removes one version: the removal is recorded in the model's history (its number is\n"
         "never given again) and the audit log, and the chunks no other version shares are\n"
         "collected at once. A protected version — best, current, or with a tag the watch's\n"
         "retention keeps (keep_tags) — is refused unless --force; forced, best or current\n"
         "is cleared. There is no undo.\n\n"
         "examples:\n  modelvaultctl delete lab/dqn.pkl@1.0.3\n"
         "  modelvaultctl delete lab/dqn.pkl@best --force",
         {{"force", false, false}},
         run_delete},
        {"import",
         "import FILE... --model MODEL [--time T | --time-from-name] [--version X] [--new-model]",
         "bring existing model files or modelvault archives into the vault",
         "Each FILE becomes a version of MODEL (WATCH/PATH), in the order given: a plain model\n"
         "file is stored under MODEL's file name with its modification time as creation time\n"
         "and the next version number; an archive made by modelvault keeps its creation time,\n"
         "version, metrics and tags (every hash is checked). --time (ISO 8601) and --version\n"
         "override both for a single FILE. --time-from-name reads each FILE's creation time\n"
         "from its name, as local time: 20260103_1632, 20260103-163205, 20260103T1632,\n"
         "202601031632, 2026-01-03, 2026-01-03_16-32-05, 2026-01-03T16:32, 2026_01_03_16_32\n"
         "(a date alone is 00:00); a name with no date or with two is refused. Files\n"
         "identical to an existing version are reported as unchanged. The files are opened\n"
         "with your rights. A MODEL the vault does not hold yet must be a model file its\n"
         "watch sees now; --new-model creates any other (a typo would make a model that no\n"
         "watch backs up).\n\n"
         "examples:\n  modelvaultctl import old/dqn_*.pkl --model lab/dqn.pkl\n"
         "  modelvaultctl import runs/pacman_run_*_DQN.zip --model lab/dqn.zip --time-from-name\n"
         "  modelvaultctl import best.pt --model lab/ppo.pt --time 2025-03-01T12:00 --version "
         "2.3.0 --new-model",
         {{"model", true, false},
          {"time", true, false},
          {"time-from-name", false, false},
          {"version", true, false},
          {"new-model", false, false}},
         run_import},
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
        {"audit",
         "audit [--since TIME] [--user USER] [--limit N]",
         "who read model data or changed something, and when",
         "Shows the daemon's audit log, oldest first: every request that hands out model data\n"
         "(restore, rollback) or changes something (backup, prune, tag, import, reload ...),\n"
         "allowed or denied, with its time, user, command, target and result. --since keeps\n"
         "records at or after TIME (ISO 8601), --user those of a user name or uid, --limit the\n"
         "newest N (default 1000). Needs write access (access.write).\n\n"
         "examples:\n  modelvaultctl audit --since 2026-11-22\n"
         "  modelvaultctl audit --user alice --limit 20\n"
         "  modelvaultctl --json audit | jq '.records[] | select(.result==\"denied\")'",
         {{"since", true, false}, {"user", true, false}, {"limit", true, false}},
         run_audit},
        {"key",
         "key init FILE | key list --vault DIR | key add FILE --vault DIR --key-file KEY | "
         "key remove ID --vault DIR --key-file KEY | key public --vault DIR",
         "key files and the keys of an encrypted vault",
         "init writes a new random 256-bit key to FILE (64 hex digits), readable by its owner\n"
         "only (mode 0400); an existing FILE is never replaced. Keep a copy apart from the\n"
         "vault: without a key the vault cannot be read. A passphrase file (any other text)\n"
         "can serve as a key too; it is stretched with scrypt.\n"
         "list shows the keys of the vault in DIR (no key needed): id, creation, host, kind\n"
         "and the file each was added from. add makes FILE open the vault too; remove ID (or\n"
         "its first digits) takes a key away; both need --key-file KEY, a key that opens the\n"
         "vault, and rewrite no data: the vault's master key stays, only the records that\n"
         "wrap it change, one file at a time (restic's model). The last key and KEY itself\n"
         "cannot be removed. public prints the vault's Ed25519 public key (PEM). These read\n"
         "and write DIR/keys directly, as you; the daemon may keep running.\n\n"
         "examples:\n  modelvaultctl key init /etc/modelvault/vault.key\n"
         "  modelvaultctl key list --vault /var/lib/modelvault\n"
         "  modelvaultctl key add /root/backup.key --vault /var/lib/modelvault --key-file "
         "/etc/modelvault/vault.key\n"
         "  modelvaultctl key remove 3f9c --vault /var/lib/modelvault --key-file "
         "/root/backup.key",
         {{"vault", true, false}, {"key-file", true, false}},
         run_key},
        {"vault",
         "vault encrypt --vault DIR --key-file FILE",
         "convert a plain vault into an encrypted one",
         "Encrypts every version of the plain vault in DIR with a new master key that FILE\n"
         "(`key init`) opens, signs them, and keeps their numbers, times, metrics, tags and\n"
         "histories. Stop modelvaultd first (the command takes the vault's lock). The new\n"
         "vault is built beside DIR and swapped in with one rename, so an interruption at any\n"
         "moment leaves a vault that opens: the plain one, or the encrypted one (run the\n"
         "command again to remove what was left). Then set encryption.key_file and start the\n"
         "daemon (docs/FORMAT.md, \"Converting a plain vault\").\n\n"
         "examples:\n  modelvaultctl vault encrypt --vault /var/lib/modelvault --key-file "
         "/etc/modelvault/vault.key",
         {{"vault", true, false}, {"key-file", true, false}},
         run_vault},
        {"report",
         "report --html FILE | --json",
         "the dashboard's overview and every model's metric chart, as one file",
         "Writes the daemon's dashboard (docs/HTTP.md) as one self-contained HTML file: the\n"
         "vault, the watches, every model with its versions and the chart of its first\n"
         "metric (inline SVG: no scripts, nothing fetched; it opens from a file or a mail).\n"
         "--json prints the same content (status, models, versions) as JSON. Needs read\n"
         "access.\n\n"
         "examples:\n  modelvaultctl report --html /srv/reports/modelvault-$(date +%F).html\n"
         "  modelvaultctl report --json | jq '.models[] | {model, best}'",
         {{"html", true, false}},
         run_report},
        {"version", "version", "versions of modelvaultctl and the daemon", "", {}, run_version},
    };
    return k_commands;
}

} // namespace mv::ctl
