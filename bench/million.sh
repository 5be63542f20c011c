#!/usr/bin/env bash
# Opening a vault that holds a million chunks (issue 12: <= 5 s until the daemon answers
# `status`, its RSS under 128 MiB):
#   1. bench/million_chunks.cpp writes a synthetic vault of format 2 with CHUNKS distinct
#      64-byte chunks through the store and vault writers (real packs, index files and
#      manifests; PER_VERSION chunks per version, each version one backup with its own
#      index file; PER_PACK chunks per pack, 16 as in a 32 MiB pack of 2 MiB chunks);
#   2. modelvaultd is started on it RUNS times: the time from its start until
#      `modelvaultctl status` answers, and its VmHWM (the most it held at any instant) and
#      VmRSS then, from /proc;
#   3. `modelvaultctl verify --all` (structure only: every manifest read, every chunk it
#      references looked up) is timed once.
# The page cache is warm (the vault was just written): a cold start reads more from disk.
#
#   bench/million.sh [CHUNKS] [PER_VERSION] [PER_PACK] [RUNS]   defaults 1000000 5000 16 3
# Environment: MV_BUILD_DIR (default build-release), MV_BENCH_DIR (default
# var/bench-million; the vault and the logs go there), MV_BENCH_REUSE=1 (open the vault a
# previous run wrote instead of writing it again: to compare two builds on one vault).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
chunks=${1:-1000000}
per_version=${2:-5000}
per_pack=${3:-16}
runs=${4:-3}
build=${MV_BUILD_DIR:-$root/build-release}
work=${MV_BENCH_DIR:-$root/var/bench-million}

scripts/deps.sh build
# An existing build folder is used as it is configured (it may hold the tests too).
[[ -f "$build/build.ninja" ]] ||
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target modelvaultd modelvaultctl mv_million_chunks >/dev/null
source bench/lib.sh

if [[ ${MV_BENCH_REUSE:-0} == 1 && -d "$work/vault" ]]; then
  echo "reusing the vault in $work (MV_BENCH_REUSE=1): CHUNKS and the others are what made it"
else
  rm -rf "$work"
  mkdir -p "$work/models"
  start=$(now)
  "$build/bin/mv_million_chunks" "$work/vault" "$chunks" "$per_version" "$per_pack" | tail -n 1
  echo "vault written in $(elapsed "$start" "$(now)") s"
fi
cat > "$work/modelvault.json" <<JSON
{ "vault": "$work/vault", "socket": "$work/mv.sock", "io_priority": "normal",
  "compression": { "codec": "zstd", "level": 3, "threads": 0 },
  "watches": [ { "name": "bench", "path": "$work/models", "triggers": { "on_change": false } } ] }
JSON
ctl=("$build/bin/modelvaultctl" --socket "$work/mv.sock" --no-progress)

# One start: prints "open_seconds cpu_seconds hwm_kib rss_kib" and leaves the daemon's pid
# in $daemon. The CPU time (user + system until status answered) depends less on the load.
start_daemon() {
  rm -f "$work/mv.sock"
  local start
  start=$(now)
  "$build/bin/modelvaultd" --config "$work/modelvault.json" --log-level info \
    >>"$work/modelvaultd.log" 2>&1 &
  daemon=$!
  until "${ctl[@]}" status >/dev/null 2>&1; do
    kill -0 "$daemon" 2>/dev/null || { echo "modelvaultd exited; see $work/modelvaultd.log" >&2; exit 1; }
    sleep 0.02
  done
  local opened
  opened=$(elapsed "$start" "$(now)")
  echo "$opened $(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
    "/proc/$daemon/stat") $(awk '/VmHWM/ { print $2 }' "/proc/$daemon/status")" \
    "$(awk '/VmRSS/ { print $2 }' "/proc/$daemon/status")"
}

stop_daemon() {
  kill "$daemon"
  wait "$daemon" || true
}

opens=() cpus=() peak=0 rss=0
for run in $(seq "$runs"); do
  start_daemon > "$work/start.out"
  read -r seconds cpu hwm now_rss < "$work/start.out"
  opens+=("$seconds") cpus+=("$cpu")
  [[ $hwm -le $peak ]] || peak=$hwm
  [[ $now_rss -le $rss ]] || rss=$now_rss
  echo "start $run: status answered after $seconds s ($cpu s of CPU); VmHWM $((hwm / 1024)) MiB, VmRSS $((now_rss / 1024)) MiB"
  if [[ $run -lt $runs ]]; then stop_daemon; fi
done
"${ctl[@]}" status | head -n 20
start=$(now)
verify=ok
"${ctl[@]}" verify --all >"$work/verify.out" 2>&1 || verify="failed (see $work/verify.out)"
verify_seconds=$(elapsed "$start" "$(now)")
verify_hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$daemon/status")
stop_daemon

echo
echo "== $chunks chunks, $per_version per version, $per_pack per pack; $(nproc) cores, disk of $work"
echo "vault: $(find "$work/vault/packs" -type f | wc -l) packs," \
  "$(find "$work/vault/index" -type f | wc -l) index files ($(du -sb "$work/vault/index" | cut -f1) B)," \
  "$(find "$work/vault/manifests" -type f | wc -l) manifests ($(du -sb "$work/vault/manifests" | cut -f1) B)," \
  "$(du -sb "$work/vault" | cut -f1) B in all"
echo "open until status answers: median $(median "${opens[@]}") s of $runs starts (goal <= 5 s)," \
  "median CPU time $(median "${cpus[@]}") s"
echo "modelvaultd after open: VmHWM $((peak / 1024)) MiB, VmRSS $((rss / 1024)) MiB (goal < 128 MiB)"
echo "verify --all (structure): $verify_seconds s, $verify; VmHWM afterwards $((verify_hwm / 1024)) MiB"
