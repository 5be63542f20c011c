#!/usr/bin/env bash
# Installs the Debian packages modelvault needs, and only those that are missing.
#   scripts/deps.sh build   compilers and libraries to build modelvaultd and modelvaultctl
#   scripts/deps.sh package the build packages, plus dpkg-dev for `cpack -G DEB`
#   scripts/deps.sh test    the build packages, plus GoogleTest and the tools the tests run
#   scripts/deps.sh fuzz    the build packages, plus clang and libFuzzer (scripts/fuzz.sh)
#   scripts/deps.sh bench   the build packages, plus restic and borg (bench/series.sh)
#   scripts/deps.sh --list SET   print the packages of SET, one per line, and install nothing
# As root it runs apt-get itself; otherwise through sudo when available; otherwise it
# prints the command to run.
set -euo pipefail

# libboost-dev: Boost.Asio (the event loop) and Boost.Beast (the HTTP server), header-only.
# zstd: the command, for `tar --zstd` on the vault's archives (README, "First use").
build_packages=(g++ cmake ninja-build pkg-config libboost-dev libarchive-dev libspdlog-dev
                nlohmann-json3-dev libssl-dev libsystemd-dev libexpected-dev libzstd-dev zstd
                libcurl4-openssl-dev libxml2-dev libpq-dev)
test_packages=(libgtest-dev libgmock-dev tar zstd xz-utils gzip coreutils restic tzdata
               clang-format
               # certificates for the HTTP server's TLS tests (tests/lib/test_certificates)
               openssl
               # the torture and power-cut suites: their drivers, and crashfs (FUSE)
               python3 fuse3 libfuse3-dev
               # notifications (docs/NOTIFICATIONS.md): promtool checks the metrics file; a
               # private dbus-daemon, dbus-monitor and busctl test the D-Bus service
               prometheus dbus-daemon dbus-bin
               # the dashboard's pages loaded in a headless browser (docs/HTTP.md)
               chromium
               # the service: systemd-analyze, systemd-socket-activate, sysusers/tmpfiles;
               # /bin/kill of ExecReload=; setpriv, runuser, script; useradd; cpack -G DEB
               systemd procps util-linux bsdutils passwd dpkg-dev
               # replicas (tests/ceph/): a single-node Ceph cluster and its S3 gateway;
               # uuidgen and curl for its start-up script
               ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl
               # the shared catalog (tests/postgres/): a throwaway PostgreSQL server
               postgresql
               # a real torch training loop writing Lightning-named checkpoints
               # (tests/integration/frameworks_test.cpp); about 640 MB with its dependencies
               python3-torch)

list_only=false
if [[ ${1:-} == --list ]]; then
  list_only=true
  shift
fi
wanted=("${build_packages[@]}")
case "${1:-build}" in
  build) ;;
  package) wanted+=(dpkg-dev) ;;
  test) wanted+=("${test_packages[@]}") ;;
  fuzz) wanted+=(clang-14 libclang-rt-14-dev) ;;
  # bench/series.sh compares the vault's growth with restic's and borg's on the same files.
  bench) wanted+=(restic borgbackup zstd tar) ;;
  *) echo "usage: scripts/deps.sh [--list] [build|package|test|fuzz|bench]" >&2; exit 2 ;;
esac
if $list_only; then
  printf '%s\n' "${wanted[@]}"
  exit 0
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
