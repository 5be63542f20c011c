#!/usr/bin/env bash
# A throwaway PostgreSQL server for the catalog tests (tests/postgres/README.md), on a
# private Unix socket (no TCP), with password (SCRAM) authentication.
#   postgres.sh start DIR    initdb and start it; writes DIR/env (MV_PG_SOCKET_DIR,
#                            MV_PG_PASSWORD_FILE, MV_PG_DATA). When the PostgreSQL
#                            programs are not installed it writes the reason to DIR/skip
#                            and succeeds: the tests then skip and say why.
#   postgres.sh stop DIR     stop it and remove everything it made
#   postgres.sh stop-server DIR / start-server DIR   stop or restart it (outages)
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user the
# Debian package creates. Costs about 2-4 s and 40 MB of memory.
set -euo pipefail

action=${1:-}
dir=${2:-}
[[ -n $action && -n $dir ]] || { echo "usage: postgres.sh start|stop|stop-server|start-server DIR" >&2; exit 2; }
dir=$(realpath -m "$dir")

log() { echo "[postgres $(date +%T)] $*" >&2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

data_dir() { sed -n 's/^MV_PG_DATA=//p' "$dir/env" 2>/dev/null; }

pg_ctl_on() {
  local data=$1; shift
  as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" "$@"
}

start() {
  rm -rf "$dir"
  mkdir -p "$dir"
  if [[ -z $bin || ! -x $bin/initdb ]]; then
    echo "PostgreSQL is not installed (scripts/deps.sh test installs the Debian package postgresql)" >"$dir/skip"
    log "$(cat "$dir/skip")"
    exit 0
  fi
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    echo "running as root needs the user postgres (the Debian package postgresql creates it)" >"$dir/skip"
    log "$(cat "$dir/skip")"
    exit 0
  fi
  # Outside the build tree: the server's user must be able to reach it.
  local data
  data=$(mktemp -d "${TMPDIR:-/tmp}/mv-postgres.XXXXXX")
  chmod 755 "$data"
  mkdir -m 700 "$data/sock"
  head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$data/password"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$data" "$data/sock" "$data/password"
  fi
  # The daemon reads its own copy, private to whoever runs the tests.
  install -m 600 "$data/password" "$dir/password"
  as_owner "$bin/initdb" -D "$data/db" -U postgres --pwfile="$data/password" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C -N \
    >"$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
  rm -f "$data/password"
  cat >>"$data/db/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$data/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
CONF
  cat >"$dir/env" <<ENV
MV_PG_SOCKET_DIR=$data/sock
MV_PG_PASSWORD_FILE=$dir/password
MV_PG_DATA=$data
ENV
  pg_ctl_on "$data" -w -t 60 start >/dev/null || { cat "$data/server.log" >&2; exit 1; }
  log "started in $data"
}

stop() {
  local data
  data=$(data_dir)
  if [[ -n $data && -d $data/db ]]; then
    pg_ctl_on "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    rm -rf "$data"
  fi
  rm -rf "$dir"
}

case $action in
  start) start ;;
  stop) stop ;;
  stop-server) pg_ctl_on "$(data_dir)" -m fast -w -t 30 stop >/dev/null ;;
  start-server) pg_ctl_on "$(data_dir)" -w -t 60 start >/dev/null ;;
  *) echo "unknown action $action" >&2; exit 2 ;;
esac
