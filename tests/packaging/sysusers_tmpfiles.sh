#!/usr/bin/env bash
# The sysusers.d and tmpfiles.d entries, applied to an empty root directory: they create
# the modelvault system user and group, /var/lib/modelvault (0700) and /run/modelvault
# (0755) owned by it. Needs root (chown): ctest label `root`.
#   sysusers_tmpfiles.sh SOURCE_DIR
# shellcheck source=tests/packaging/lib.sh
source "$(dirname "$0")/lib.sh"
source_dir=$1
root="$scratch/root"
mkdir -p "$root/etc"

systemd-sysusers --root="$root" "$source_dir/systemd/sysusers.d/modelvault.conf"
entry=$(grep '^modelvault:' "$root/etc/passwd") || fail "no modelvault user in passwd"
IFS=: read -r _ _ uid gid _ home shell <<<"$entry"
[[ $uid -gt 0 && $uid -lt 1000 ]] || fail "modelvault is not a system user (uid $uid)"
grep -q "^modelvault:x:$gid:" "$root/etc/group" || fail "no modelvault group with gid $gid"
[[ $home == /var/lib/modelvault ]] || fail "home is $home"
[[ $shell == */nologin ]] || fail "shell is $shell, not nologin"

systemd-tmpfiles --root="$root" --create "$source_dir/systemd/tmpfiles.d/modelvault.conf"
[[ $(stat -c '%a %u:%g' "$root/var/lib/modelvault") == "700 $uid:$gid" ]] ||
  fail "/var/lib/modelvault is $(stat -c '%a %u:%g' "$root/var/lib/modelvault")"
[[ $(stat -c '%a %u:%g' "$root/run/modelvault") == "755 $uid:$gid" ]] ||
  fail "/run/modelvault is $(stat -c '%a %u:%g' "$root/run/modelvault")"
finish
