#!/usr/bin/env bash
# `cmake --install` puts binaries, units, sysusers.d/tmpfiles.d entries, the default
# config and the docs in place, under DESTDIR and the prefix; the units name the
# installed daemon; re-installing keeps an edited config.
#   install_tree.sh CMAKE_COMMAND BUILD_DIR SOURCE_DIR
# shellcheck source=tests/packaging/lib.sh
source "$(dirname "$0")/lib.sh"
cmake_command=$1
build_dir=$2
source_dir=$3
# Everything below writes only under $scratch; the source's default config must come out
# of the test exactly as it went in (it ships as the package's conffile).
source_config_before=$(sha256sum <"$source_dir/systemd/modelvault.json")

for prefix in /usr /opt/modelvault; do
  root="$scratch/root${prefix//\//_}"
  DESTDIR="$root" "$cmake_command" --install "$build_dir" --prefix "$prefix" >/dev/null
  (cd "$root" && find . \( -type f -o -type l \) -printf '%P\n') >"$scratch/actual"
  expected_tree "${prefix#/}" >"$scratch/expected"
  expect_same_lines "the installation with prefix $prefix" "$scratch/expected" "$scratch/actual"

  # Nothing outside DESTDIR: the default config went to DESTDIR/etc, not /etc.
  [[ -f "$root/etc/modelvault/modelvault.json" ]] || fail "no default config under DESTDIR"

  service="$root$prefix/lib/systemd/system/modelvaultd.service"
  grep -qx "ExecStart=$prefix/sbin/modelvaultd --config /etc/modelvault/modelvault.json" \
    "$service" || fail "ExecStart= of $service does not name $prefix/sbin/modelvaultd"
  grep -q "file://$prefix/share/doc/modelvault/SERVICE.md" "$service" ||
    fail "Documentation= of $service does not name the installed SERVICE.md"
  if [[ $prefix == /usr ]]; then
    # The Debian paths are the source's own: the installed units are the source files.
    for unit in modelvaultd.service modelvaultd.socket; do
      cmp -s "$source_dir/systemd/$unit" "$root/usr/lib/systemd/system/$unit" ||
        fail "the installed $unit differs from systemd/$unit"
    done
  fi

  for program in sbin/modelvaultd bin/modelvaultctl; do
    [[ -x "$root$prefix/$program" ]] || fail "$prefix/$program is not executable"
  done
  "$root$prefix/sbin/modelvaultd" --check-config "$root/etc/modelvault/modelvault.json" \
    >/dev/null || fail "the installed default config does not pass --check-config"
done

# An edited config survives a second installation. The installed copy is edited through a
# new file, so that even an installation that hard-linked it to the source could not
# change the source.
root="$scratch/root_usr"
installed="$root/etc/modelvault/modelvault.json"
{ cat "$installed"; echo "// edited by the admin"; } >"$scratch/edited.json"
mv "$scratch/edited.json" "$installed"
DESTDIR="$root" "$cmake_command" --install "$build_dir" --prefix /usr >/dev/null
grep -q "edited by the admin" "$root/etc/modelvault/modelvault.json" ||
  fail "re-installing overwrote an edited /etc/modelvault/modelvault.json"
cmp -s "$source_dir/systemd/modelvault.json" \
  "$root/usr/share/doc/modelvault/examples/modelvault.json" ||
  fail "the doc dir does not keep the default config"
[[ $(sha256sum <"$source_dir/systemd/modelvault.json") == "$source_config_before" ]] ||
  fail "the test changed systemd/modelvault.json in the source tree"
finish
