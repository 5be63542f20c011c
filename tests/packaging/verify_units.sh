#!/usr/bin/env bash
# `systemd-analyze verify` of the installed units: no errors and no warnings (unknown
# keys, bad values, missing programs). ExecStart= must name an existing program, so the
# check runs on the units of a DESTDIR installation, pointed at that installation.
#   verify_units.sh CMAKE_COMMAND BUILD_DIR
# shellcheck source=tests/packaging/lib.sh
source "$(dirname "$0")/lib.sh"
cmake_command=$1
build_dir=$2

DESTDIR="$scratch/root" "$cmake_command" --install "$build_dir" --prefix /usr >/dev/null
mkdir -p "$scratch/units"
for unit in modelvaultd.service modelvaultd.socket; do
  sed "s#/usr/sbin/modelvaultd#$scratch/root/usr/sbin/modelvaultd#" \
    "$scratch/root/usr/lib/systemd/system/$unit" >"$scratch/units/$unit"
done

# verify UNIT_FILES...: fails on a non-zero exit status and on any message at all.
verify() {
  local output status=0
  output=$(systemd-analyze verify --no-pager "$@" 2>&1) || status=$?
  if [[ $status -ne 0 || -n "$output" ]]; then
    echo "systemd-analyze verify $* (exit $status):" >&2
    echo "$output" >&2
    return 1
  fi
}

verify "$scratch/units/modelvaultd.service" "$scratch/units/modelvaultd.socket" ||
  fail "the units do not verify cleanly"

# `systemctl reload` checks the config before signalling, so that it fails for a bad file.
grep -qx "ExecReload=$scratch/root/usr/sbin/modelvaultd --check-config /etc/modelvault/modelvault.json" \
  "$scratch/units/modelvaultd.service" || fail "ExecReload= does not check the config first"

# A unit with a misspelt key only gets a warning and exit 0 from systemd-analyze:
# make sure such a unit is refused here.
mkdir -p "$scratch/typo"
sed 's/^ProtectHome=/ProtectHomes=/' "$scratch/units/modelvaultd.service" \
  >"$scratch/typo/modelvaultd.service"
if verify "$scratch/typo/modelvaultd.service" 2>/dev/null; then
  fail "a unit with an unknown key passed verification"
fi
finish
