#!/usr/bin/env bash
# One command from a fresh Debian 12 checkout to a running daemon:
# installs what is missing, builds, and starts modelvaultd in the foreground on
# examples/modelvault.json (vault, watched folder and socket under ./var; no root needed
# to run it), or on the config given as the first argument. Stop it with Ctrl-C.
#   scripts/run.sh [CONFIG]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== checking the Debian packages the build needs (scripts/deps.sh build)"
scripts/deps.sh build
echo "== configuring build-release/ (CMake, Release)"
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF >/dev/null
# Each file pulls in Asio, nlohmann-json and spdlog: about 10 s of CPU per file at -O3 on
# a 2020s machine, more when it is busy. Say what to expect before ninja's counter starts.
# (`ninja -n` cannot tell: it stops at re-checking CMake's globs.) Compile commands minus
# the object files already there is the work left, near enough.
cores=$(nproc)
total=$(ninja -C build-release -t commands modelvaultd modelvaultctl | grep -c -- ' -c ' || true)
built=$(find build-release -name '*.o' | wc -l)
files=$((total > built ? total - built : 0))
if [[ $files -gt 0 ]]; then
  minutes=$(((files * 10 + cores * 60 - 1) / (cores * 60)))
  echo "== building modelvaultd and modelvaultctl: $files files to compile on $cores core(s)," \
       "roughly $minutes min (longer if the machine is busy; later runs build only what changed)"
else
  echo "== building modelvaultd and modelvaultctl (only what changed since the last build)"
fi
cmake --build build-release --target modelvaultd modelvaultctl -- -j"$cores"

config=${1:-examples/modelvault.json}
build-release/bin/modelvaultd --check-config "$config" >/dev/null || exit 78
socket=$(build-release/bin/modelvaultd --check-config "$config" | sed -n 's/.*, socket \(.*\))$/\1/p')
mkdir -p var/models

if [[ "$config" == "examples/modelvault.json" ]]; then
  # The dashboard's tokens (docs/HTTP.md, "Tokens"): made once, readable by you only.
  if [[ ! -f var/http-tokens ]]; then
    random_token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
    (umask 077 && printf 'read %s\nwrite %s\n' "$(random_token)" "$(random_token)" > var/http-tokens)
  fi
  read_token=$(awk '$1 == "read" {print $2; exit}' var/http-tokens)
  cat <<MSG

modelvaultd is starting on examples/modelvault.json:
  watched folder  $root/var/models
  vault           $root/var/vault
  socket          $socket
  dashboard       http://127.0.0.1:8470/?token=$read_token

Try it from a second terminal:
  export MODELVAULT_SOCKET=$socket PATH=$root/build-release/bin:\$PATH
  printf '\x80\x04 my weights.' > var/models/dqn.pkl     # a file settles after 2 s ...
  modelvaultctl list                                     # ... and is version 1.0.0
  modelvaultctl restore lab/dqn.pkl --to /tmp/restored
  modelvaultctl verify --all
  modelvaultctl status

MSG
else
  cat <<MSG

modelvaultd is starting on $config. From a second terminal:
  export MODELVAULT_SOCKET=$socket PATH=$root/build-release/bin:\$PATH
  modelvaultctl status

MSG
fi
exec build-release/bin/modelvaultd --config "$config"
