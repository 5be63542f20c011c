#!/usr/bin/env bash
# Restore speed, side by side on the same archive and disk, in one run:
#   1. modelvaultctl restore MODEL --to DIR   (verified: every SHA-256 checked, temp + rename)
#   2. zstd -dc ARCHIVE | tar -xf - -C DIR     (the plain pipeline, nothing checked)
# on a model-like file of random float32 weights (default 1 GiB), RUNS times each
# (interleaved), then prints the medians and the ratio.
#
#   bench/restore.sh [SIZE_MIB] [RUNS]       defaults: 1024 3
# Environment: MV_BUILD_DIR (default build-release), MV_BENCH_DIR (default var/bench-restore).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
size_mib=${1:-1024}
runs=${2:-3}
build=${MV_BUILD_DIR:-$root/build-release}
work=${MV_BENCH_DIR:-$root/var/bench-restore}

scripts/deps.sh build
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target modelvaultd modelvaultctl mv_gen_weights >/dev/null

rm -rf "$work"
mkdir -p "$work/models"
"$build/bin/mv_gen_weights" "$size_mib" "$work/models/model.safetensors"
cat > "$work/modelvault.json" <<JSON
{ "vault": "$work/vault", "socket": "$work/mv.sock", "io_priority": "normal",
  "watches": [ { "name": "bench", "path": "$work/models", "triggers": { "on_change": false } } ] }
JSON
"$build/bin/modelvaultd" --config "$work/modelvault.json" --log-level warn &
daemon=$!
trap 'kill $daemon 2>/dev/null || true; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -S "$work/mv.sock" ]] && break; sleep 0.1; done
ctl=("$build/bin/modelvaultctl" --socket "$work/mv.sock" --no-progress)
"${ctl[@]}" backup bench/model.safetensors >/dev/null
archive=$(ls "$work"/vault/models/bench/model.safetensors/*.tar.zst)

source bench/lib.sh
mv_times=() pipe_times=()
for run in $(seq "$runs"); do
  rm -rf "$work/out-mv" "$work/out-pipe"
  mkdir -p "$work/out-pipe"
  sync
  start=$(now)
  "${ctl[@]}" restore bench/model.safetensors --to "$work/out-mv" >/dev/null
  mv_times+=("$(elapsed "$start" "$(now)")")
  sync
  start=$(now)
  zstd -dc "$archive" | tar -xf - -C "$work/out-pipe"
  pipe_times+=("$(elapsed "$start" "$(now)")")
  cmp -s "$work/out-mv/model.safetensors" "$work/out-pipe/model/model.safetensors"
  echo "run $run: modelvault ${mv_times[-1]} s, zstd|tar ${pipe_times[-1]} s (outputs identical)"
done
mv_median=$(median "${mv_times[@]}")
pipe_median=$(median "${pipe_times[@]}")
echo
echo "== restore of a $size_mib MiB model, median of $runs runs, $(nproc) cores"
printf '%-48s %8s s  %6s MiB/s\n' "modelvaultctl restore (verify + temp + rename)" "$mv_median" "$(mib_per_s "$mv_median")"
printf '%-48s %8s s  %6s MiB/s\n' "zstd -dc | tar -xf -" "$pipe_median" "$(mib_per_s "$pipe_median")"
awk -v a="$mv_median" -v b="$pipe_median" 'BEGIN { printf "ratio modelvault / zstd|tar: %.2f (below 1 = faster)\n", a / b }'
