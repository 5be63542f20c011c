#!/usr/bin/env bash
# Backup speed and memory, side by side on the same data and disk, in one run:
#   1. modelvaultctl backup   (read once + SHA-256 + zstd -3 + decode-verify while writing +
#                              fsync + read-back hash + atomic commit)
#   2. tar -cf - FILE | zstd -3 -T0 > OUT; sync OUT   (the plain pipeline, no hashing, no verify)
#   3. restic backup FILE     (fresh repository per run; only when restic is installed)
# on a model-like file of random float32 weights (default 1 GiB), RUNS times each
# (interleaved), then prints the medians, the ratios and modelvaultd's peak RSS.
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
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target modelvaultd modelvaultctl mv_gen_weights >/dev/null

rm -rf "$work"
mkdir -p "$work/models"
model="$work/models/model.safetensors"
echo "generating $size_mib MiB of float32 weights in $model"
"$build/bin/mv_gen_weights" "$size_mib" "$model"

cat > "$work/modelvault.json" <<JSON
{
  "vault": "$work/vault",
  "socket": "$work/mv.sock",
  "io_priority": "normal",
  "compression": { "codec": "zstd", "level": 3, "threads": 0 },
  "watches": [ { "name": "bench", "path": "$work/models", "triggers": { "on_change": false } } ]
}
JSON
"$build/bin/modelvaultd" --config "$work/modelvault.json" --log-level warn &
daemon=$!
trap 'kill $daemon 2>/dev/null || true; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [[ -S "$work/mv.sock" ]] && break
  sleep 0.1
done
ctl=("$build/bin/modelvaultctl" --socket "$work/mv.sock" --no-progress)

source bench/lib.sh

have_restic=0
command -v restic >/dev/null 2>&1 && have_restic=1
export RESTIC_PASSWORD=bench
mv_times=() pipe_times=() restic_times=()
for run in $(seq "$runs"); do
  # A different byte each run, so that every run writes a complete new version.
  printf "\\x$(printf %02x "$run")" | dd of="$model" bs=1 seek=4096 conv=notrunc status=none

  # Every contender starts with no dirty pages of another one still being written out
  # (restic does not sync its repository).
  sync
  start=$(now)
  "${ctl[@]}" backup bench/model.safetensors >/dev/null
  mv_times+=("$(elapsed "$start" "$(now)")")

  sync
  start=$(now)
  tar -cf - -C "$work/models" model.safetensors | zstd -3 -T0 -q > "$work/pipe.tar.zst"
  sync "$work/pipe.tar.zst"
  pipe_times+=("$(elapsed "$start" "$(now)")")

  if [[ $have_restic -eq 1 ]]; then
    rm -rf "$work/restic"
    restic init --quiet --repo "$work/restic" >/dev/null
    sync
    start=$(now)
    restic backup --quiet --repo "$work/restic" "$model" >/dev/null
    restic_times+=("$(elapsed "$start" "$(now)")")
  fi
  echo "run $run: modelvault ${mv_times[-1]} s, tar|zstd ${pipe_times[-1]} s${restic_times:+, restic ${restic_times[-1]} s}"
done

peak_kib=$(awk '/VmHWM/ { print $2 }' "/proc/$daemon/status")
archive=$(ls -S "$work"/vault/models/bench/model.safetensors/*.tar.zst | head -1)
mv_median=$(median "${mv_times[@]}")
pipe_median=$(median "${pipe_times[@]}")
echo
echo "== $size_mib MiB float32 model, median of $runs runs, $(nproc) cores, disk of $work"
printf '%-44s %8s s  %6s MiB/s\n' "modelvaultctl backup (hash+zstd-3+verify)" "$mv_median" "$(mib_per_s "$mv_median")"
printf '%-44s %8s s  %6s MiB/s\n' "tar | zstd -3 -T0 ; sync" "$pipe_median" "$(mib_per_s "$pipe_median")"
if [[ $have_restic -eq 1 ]]; then
  restic_median=$(median "${restic_times[@]}")
  printf '%-44s %8s s  %6s MiB/s\n' "restic backup (fresh repository)" "$restic_median" "$(mib_per_s "$restic_median")"
fi
awk -v a="$mv_median" -v b="$pipe_median" 'BEGIN { printf "ratio modelvault / tar|zstd: %.2f (below 1 = faster)\n", a / b }'
if [[ $have_restic -eq 1 ]]; then
  awk -v a="$mv_median" -v b="$restic_median" 'BEGIN { printf "ratio modelvault / restic:   %.2f\n", a / b }'
fi
echo "modelvaultd peak RSS: $((peak_kib / 1024)) MiB"
echo "sizes: model $(stat -c %s "$model") B, modelvault archive $(stat -c %s "$archive") B, tar|zstd $(stat -c %s "$work/pipe.tar.zst") B"
