#!/usr/bin/env bash
# Installs the Debian packages modelvault needs, and only those that are missing.
#   scripts/deps.sh build   compilers and libraries to build modelvaultd and modelvaultctl
#   scripts/deps.sh test    the above, plus GoogleTest and the tools tests cross-check with
# As root it runs apt-get itself; otherwise through sudo when available; otherwise it
# prints the command to run.
set -euo pipefail

build_packages=(g++ cmake ninja-build pkg-config libboost-dev libarchive-dev libspdlog-dev
                nlohmann-json3-dev libssl-dev libsystemd-dev libexpected-dev)
test_packages=(libgtest-dev libgmock-dev tar zstd xz-utils gzip coreutils restic tzdata
               clang-format)

wanted=("${build_packages[@]}")
if [[ "${1:-build}" == "test" ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "modelvault: installing ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "modelvault: missing packages; as root run: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
