#!/usr/bin/env bash
# The scripts a new user runs first: `scripts/deps.sh build` installs every program the
# README's first-use commands call (`tar --zstd` needs the zstd command), and the run
# script says what it is doing before the long build starts.
#   scripts.sh SOURCE_DIR
# shellcheck source=tests/packaging/lib.sh
source "$(dirname "$0")/lib.sh"
source_dir=$1

build_set=$(bash "$source_dir/scripts/deps.sh" --list build)
# Command in the README → the Debian package that provides it.
declare -A providers=([zstd]=zstd [tar]=tar [python3]=python3)
for command in "${!providers[@]}"; do
  if grep -qE "(^|[ \`(])$command( |$)|tar --$command" "$source_dir/README.md"; then
    package=${providers[$command]}
    # tar and python3 are part of every Debian installation (priority required/standard).
    if [[ $package != tar && $package != python3 ]] && ! grep -qx "$package" <<<"$build_set"; then
      fail "README.md runs $command, but scripts/deps.sh build does not install $package"
    fi
  fi
done
grep -qx zstd <<<"$build_set" || fail "scripts/deps.sh build does not install zstd"

# run.sh announces each step and how long the build will take, before ninja's counter.
for step in "checking the Debian packages" "configuring build-release" "files to compile on" \
            "roughly"; do
  grep -q "$step" "$source_dir/scripts/run.sh" || fail "scripts/run.sh does not say \"$step\""
done
finish
