#!/usr/bin/env bash
# docs/CLI.md is the programs' own --help texts, gathered into one reference page, so the
# page can never describe options the programs do not have.
#
#   scripts/cli_doc.sh BINDIR > docs/CLI.md        regenerate the page
#   scripts/cli_doc.sh --check BINDIR docs/CLI.md  exit 1 (with a diff) when it is stale
set -euo pipefail

check=""
if [[ "${1:-}" == "--check" ]]; then
  check=$3
fi
bindir=${check:+$2}
bindir=${bindir:-${1:?usage: scripts/cli_doc.sh [--check] BINDIR [CLI.md]}}
ctl="$bindir/modelvaultctl"
daemon="$bindir/modelvaultd"

generate() {
  cat <<'EOF'
# Command-line reference

The `--help` text of `modelvaultd` and of every `modelvaultctl` command, as the programs
print it (this page is generated from them by `scripts/cli_doc.sh`, and a test fails when
it is out of date). docs/CONFIG.md describes the configuration, docs/PROTOCOL.md the
socket protocol behind every command, docs/SERVICE.md the systemd service.

EOF
  echo '## modelvaultd'
  echo
  echo '```'
  "$daemon" --help
  echo '```'
  echo
  echo '## modelvaultctl'
  echo
  echo '```'
  "$ctl" --help
  echo '```'
  # The commands, in the order the overview lists them.
  "$ctl" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' |
    while read -r command; do
      echo
      echo "### modelvaultctl $command"
      echo
      echo '```'
      "$ctl" "$command" --help
      echo '```'
    done
}

if [[ -n "$check" ]]; then
  if ! diff -u "$check" <(generate); then
    echo "docs/CLI.md is out of date: run scripts/cli_doc.sh $bindir > docs/CLI.md" >&2
    exit 1
  fi
else
  generate
fi
