#!/usr/bin/env bash
# Backup speed and memory, side by side on the same data and disk, in one run:
#   1. modelvaultctl backup of a fresh model into an empty vault (read once, SHA-256 of
#      every chunk and of the file, float-aware codec, decode-verify of every new chunk,
#      fsync, atomic commit), then of its next version with >= 10 % of the bytes changed
#      (whole tensors rewritten, bench/gen_series.cpp)
#   2. tar -cf - FILE | zstd -3 -T0 > OUT && sync OUT   on each of the same two files
# on a safetensors float32 model of 1-8 MiB tensors (default 1 GiB), RUNS times each
# (a fresh vault and daemon per run), then prints the medians, the ratios and
# modelvaultd's peak RSS (VmHWM: the most it held at any instant).
# The clock starts once the copied model has been left alone for the watch's `settle`
# (1 s here): a backup of a file written less than `settle` ago waits for it to be quiet
# first (docs/CONFIG.md), which is policy, not work. The figures before 2026-12-01 counted
# up to 2 s of that wait.
#
#   bench/backup.sh [SIZE_MIB] [RUNS]        defaults: 1024 3
# Environment: MV_BUILD_DIR (default build-release), MV_BENCH_DIR (default var/bench,
# i.e. the checkout's disk; the vault, the model and every output go there).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
size_mib=${1:-1024}
runs=${2:-3}
build=${MV_BUILD_DIR:-$root/build-release}
work=${MV_BENCH_DIR:-$root/var/bench}

scripts/deps.sh build
# An existing build folder is used as it is configured (it may hold the tests too).
[[ -f "$build/build.ninja" ]] ||
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target modelvaultd modelvaultctl mv_gen_series >/dev/null

rm -rf "$work"
mkdir -p "$work/series"
echo "generating a $size_mib MiB float32 model and its next version in $work/series"
"$build/bin/mv_gen_series" "$work/series" "$size_mib" 2 10
source bench/lib.sh

# One run: a fresh vault and daemon; prints "fresh next pipe_fresh pipe_next peak_kib".
one_run() {
  rm -rf "$work/vault" "$work/models" "$work/mv.sock"
  mkdir -p "$work/models"
  cat > "$work/modelvault.json" <<JSON
{ "vault": "$work/vault", "socket": "$work/mv.sock", "io_priority": "normal",
  "compression": { "codec": "zstd", "level": 3, "threads": 0 },
  "watches": [ { "name": "bench", "path": "$work/models", "settle": "1s",
                 "triggers": { "on_change": false } } ] }
JSON
  "$build/bin/modelvaultd" --config "$work/modelvault.json" --log-level warn &
  local daemon=$!
  for _ in $(seq 100); do [[ -S "$work/mv.sock" ]] && break; sleep 0.1; done
  local ctl=("$build/bin/modelvaultctl" --socket "$work/mv.sock" --no-progress) times=()
  for v in 01 02; do
    cp "$work/series/v$v.safetensors" "$work/models/model.safetensors"
    sync
    sleep 1.2 # settle
    local start
    start=$(now)
    "${ctl[@]}" backup bench/model.safetensors >/dev/null
    times+=("$(elapsed "$start" "$(now)")")
  done
  for v in 01 02; do
    sync
    start=$(now)
    tar -cf - -C "$work/series" "v$v.safetensors" | zstd -3 -T0 -q > "$work/pipe.tar.zst"
    sync "$work/pipe.tar.zst"
    times+=("$(elapsed "$start" "$(now)")")
  done
  times+=("$(awk '/VmHWM/ { print $2 }' "/proc/$daemon/status")")
  kill "$daemon"
  wait "$daemon" || true
  echo "${times[@]}"
}

fresh=() next=() pipe_fresh=() pipe_next=() peak=0
for run in $(seq "$runs"); do
  read -r a b c d kib < <(one_run)
  fresh+=("$a") next+=("$b") pipe_fresh+=("$c") pipe_next+=("$d")
  [[ $kib -le $peak ]] || peak=$kib
  echo "run $run: modelvault fresh $a s, next $b s; tar|zstd $c s, $d s"
done
m_fresh=$(median "${fresh[@]}") m_next=$(median "${next[@]}")
m_pipe=$(median "${pipe_fresh[@]}" "${pipe_next[@]}")
echo
echo "== $size_mib MiB float32 model, median of $runs runs, $(nproc) cores, disk of $work"
printf '%-46s %8s s  %6s MiB/s\n' "modelvaultctl backup, fresh vault" "$m_fresh" "$(mib_per_s "$m_fresh")"
printf '%-46s %8s s  %6s MiB/s\n' "modelvaultctl backup, next version (10 %)" "$m_next" "$(mib_per_s "$m_next")"
printf '%-46s %8s s  %6s MiB/s\n' "tar | zstd -3 -T0 > OUT && sync OUT" "$m_pipe" "$(mib_per_s "$m_pipe")"
awk -v a="$m_pipe" -v f="$m_fresh" -v n="$m_next" \
  'BEGIN { printf "speed vs tar|zstd: fresh %.2fx, next version %.2fx (above 1 = faster)\n", a / f, a / n }'
echo "modelvaultd peak RSS: $((peak / 1024)) MiB"
echo "sizes: model $(stat -c %s "$work/series/v01.safetensors") B, vault $(du -sb "$work/vault" | cut -f1) B after both versions, tar|zstd $(stat -c %s "$work/pipe.tar.zst") B"
