#!/usr/bin/env bash
# Restore speed, side by side on the same model and disk, in one run:
#   1. modelvaultctl restore MODEL --to DIR   (every chunk decoded and checked against its
#      name, the file's SHA-256 checked, written to a temporary name, fsynced, renamed)
#   2. tar --zstd -xf MODEL.tar.zst -C DIR    (the plain pipeline, nothing checked)
# on a safetensors float32 model of 1-8 MiB tensors (default 1 GiB), RUNS times each
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
# An existing build folder is used as it is configured (it may hold the tests too).
[[ -f "$build/build.ninja" ]] ||
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target modelvaultd modelvaultctl mv_gen_series >/dev/null

rm -rf "$work"
mkdir -p "$work/models"
"$build/bin/mv_gen_series" "$work/models" "$size_mib" 1
mv "$work/models/v01.safetensors" "$work/models/model.safetensors"
tar -cf - -C "$work/models" model.safetensors | zstd -3 -T0 -q > "$work/model.tar.zst"
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
  tar --zstd -xf "$work/model.tar.zst" -C "$work/out-pipe"
  pipe_times+=("$(elapsed "$start" "$(now)")")
  cmp -s "$work/out-mv/model.safetensors" "$work/out-pipe/model.safetensors"
  echo "run $run: modelvault ${mv_times[-1]} s, tar --zstd -xf ${pipe_times[-1]} s (outputs identical)"
done
mv_median=$(median "${mv_times[@]}")
pipe_median=$(median "${pipe_times[@]}")
echo
echo "== restore of a $size_mib MiB model, median of $runs runs, $(nproc) cores"
printf '%-48s %8s s  %6s MiB/s\n' "modelvaultctl restore (verified, temp + rename)" "$mv_median" "$(mib_per_s "$mv_median")"
printf '%-48s %8s s  %6s MiB/s\n' "tar --zstd -xf" "$pipe_median" "$(mib_per_s "$pipe_median")"
awk -v a="$pipe_median" -v b="$mv_median" 'BEGIN { printf "speed vs tar --zstd -xf: %.2fx (above 1 = faster)\n", a / b }'
