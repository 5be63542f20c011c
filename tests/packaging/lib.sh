# Shared by the packaging tests: a scratch directory removed on exit, failure reporting.
# shellcheck shell=bash
set -euo pipefail

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mv-packaging-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failures=0

# fail MESSAGE...: reports one failed check; the test fails at the end (finish).
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# finish: exit 1 when any check failed.
finish() {
  if [[ $failures -gt 0 ]]; then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}

# expect_same_lines WHAT EXPECTED_FILE ACTUAL_FILE: sorted line sets must be equal.
expect_same_lines() {
  local what=$1 expected=$2 actual=$3
  if ! diff -u <(sort "$expected") <(sort "$actual") >"$scratch/diff"; then
    fail "$what differs from what is expected (- expected, + actual):"
    cat "$scratch/diff" >&2
  fi
}

# The files an installation with prefix PREFIX (no leading slash) must contain.
expected_tree() {
  local prefix=$1
  cat <<LIST
etc/modelvault/modelvault.json
$prefix/bin/modelvaultctl
$prefix/sbin/modelvaultd
$prefix/lib/systemd/system/modelvaultd.service
$prefix/lib/systemd/system/modelvaultd.socket
$prefix/lib/sysusers.d/modelvault.conf
$prefix/lib/tmpfiles.d/modelvault.conf
$prefix/share/dbus-1/system.d/org.modelvault.Daemon1.conf
$prefix/share/doc/modelvault/README.md
$prefix/share/doc/modelvault/ARCHITECTURE.md
$prefix/share/doc/modelvault/CLI.md
$prefix/share/doc/modelvault/CONFIG.md
$prefix/share/doc/modelvault/FORMAT.md
$prefix/share/doc/modelvault/PROTOCOL.md
$prefix/share/doc/modelvault/SERVICE.md
$prefix/share/doc/modelvault/NOTIFICATIONS.md
$prefix/share/doc/modelvault/copyright
$prefix/share/doc/modelvault/changelog.Debian.gz
$prefix/share/doc/modelvault/examples/modelvault.json
LIST
}
