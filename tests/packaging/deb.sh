#!/usr/bin/env bash
# `cpack -G DEB` builds modelvault_<version>_<arch>.deb: its files (dpkg-deb -c), its
# control fields, the config as a conffile, and maintainer scripts that create the user,
# enable but do not start the service, and never delete the vault.
#   deb.sh CPACK_COMMAND BUILD_DIR VERSION
# shellcheck source=tests/packaging/lib.sh
source "$(dirname "$0")/lib.sh"
cpack_command=$1
build_dir=$2
version=$3

"$cpack_command" --config "$build_dir/CPackConfig.cmake" -G DEB -B "$scratch/out" \
  >"$scratch/cpack.log" 2>&1 || { cat "$scratch/cpack.log" >&2; exit 1; }
package="$scratch/out/modelvault_${version}_$(dpkg --print-architecture).deb"
[[ -f "$package" ]] || { fail "no $package"; ls "$scratch/out" >&2; finish; }

# The files: exactly those of an installation with prefix /usr; no vault.
dpkg-deb -c "$package" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' >"$scratch/actual"
expected_tree usr >"$scratch/expected"
expect_same_lines "dpkg-deb -c" "$scratch/expected" "$scratch/actual"
if dpkg-deb -c "$package" | grep -q 'var/lib/modelvault'; then
  fail "the package contains /var/lib/modelvault: removing it would touch the vault"
fi

# Control fields.
[[ $(dpkg-deb -f "$package" Package) == modelvault ]] || fail "Package is not modelvault"
[[ $(dpkg-deb -f "$package" Version) == "$version" ]] || fail "Version is not $version"
depends=$(dpkg-deb -f "$package" Depends)
for needed in systemd procps libsystemd0 libarchive13 libssl3 libzstd1; do
  grep -qE "(^|, )$needed( |,|$)" <<<"$depends" || fail "Depends lacks $needed: $depends"
done

# The documentation Debian policy asks for: copyright, and a changelog naming this version.
dpkg-deb -x "$package" "$scratch/tree"
doc="$scratch/tree/usr/share/doc/modelvault"
grep -q '^Copyright: ' "$doc/copyright" || fail "no Copyright: field in $doc/copyright"
head=$(zcat "$doc/changelog.Debian.gz" | head -n 1)
[[ $head == "modelvault ($version) "* ]] || fail "changelog.Debian.gz starts with '$head'"

# Control files.
dpkg-deb -e "$package" "$scratch/control"
[[ $(cat "$scratch/control/conffiles") == /etc/modelvault/modelvault.json ]] ||
  fail "conffiles is not /etc/modelvault/modelvault.json"
for script in postinst prerm postrm; do
  file="$scratch/control/$script"
  [[ -x "$file" ]] || { fail "no executable $script"; continue; }
  sh -n "$file" || fail "$script is not valid sh"
done
code() { grep -v '^[[:space:]]*#' "$scratch/control/$1"; }
code postinst | grep -q 'systemd-sysusers .*modelvault.conf' || fail "postinst creates no user"
code postinst | grep -q "systemctl --system daemon-reload" || fail "postinst does not reload systemd"
code postinst | grep -q "deb-systemd-helper enable 'modelvaultd.service'" ||
  fail "postinst does not enable modelvaultd.service"
if code postinst | grep -qE 'deb-systemd-invoke (start|restart)|systemctl (start|restart)'; then
  fail "postinst starts the service (it must only be enabled)"
fi
code prerm | grep -q "deb-systemd-invoke stop" || fail "prerm does not stop the service"
if code postrm | grep -qE 'rm .*(/var/lib|vault)|userdel'; then
  fail "postrm deletes the vault or its user"
fi
finish
