#!/usr/bin/env bash
# What encryption costs a backup and a restore, side by side on the same model and disk, in
# one run: for each run, a fresh plain vault and a fresh encrypted vault (encryption.key_file,
# docs/CONFIG.md) each back up the same model of random float32 weights (default 1 GiB)
# with `modelvaultctl backup` and restore it with `modelvaultctl restore`. Prints the
# medians, the throughputs and the ratios encrypted / plain (issue 13 asks for ≥ 0.9).
#
#   bench/encryption.sh [SIZE_MIB] [RUNS]      defaults: 1024 3
# Environment: MV_BUILD_DIR (default build-release), MV_BENCH_DIR (default var/bench-encryption).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
size_mib=${1:-1024}
runs=${2:-3}
build=${MV_BUILD_DIR:-$root/build-release}
work=${MV_BENCH_DIR:-$root/var/bench-encryption}

scripts/deps.sh build
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target modelvaultd modelvaultctl mv_gen_weights >/dev/null
source bench/lib.sh

rm -rf "$work"
mkdir -p "$work/models"
"$build/bin/mv_gen_weights" "$size_mib" "$work/models/model.safetensors"
"$build/bin/modelvaultctl" key init "$work/vault.key" >/dev/null
ctl=("$build/bin/modelvaultctl" --socket "$work/mv.sock" --no-progress)

# One backup and one restore into a fresh vault; $1 is plain or encrypted. Prints the two
# durations.
measure() {
  local encryption=""
  [[ $1 == encrypted ]] && encryption="\"encryption\": { \"key_file\": \"$work/vault.key\" },"
  rm -rf "$work/vault" "$work/out"
  cat > "$work/modelvault.json" <<JSON
{ "vault": "$work/vault", "socket": "$work/mv.sock", "io_priority": "normal", $encryption
  "watches": [ { "name": "bench", "path": "$work/models", "triggers": { "on_change": false } } ] }
JSON
  "$build/bin/modelvaultd" --config "$work/modelvault.json" --log-level warn &
  local daemon=$!
  for _ in $(seq 300); do [[ -S "$work/mv.sock" ]] && "${ctl[@]}" status >/dev/null 2>&1 && break; sleep 0.1; done
  sync
  local start
  start=$(now)
  "${ctl[@]}" backup bench/model.safetensors >/dev/null
  local backup
  backup=$(elapsed "$start" "$(now)")
  sync
  start=$(now)
  "${ctl[@]}" restore bench/model.safetensors --to "$work/out" >/dev/null
  local restore
  restore=$(elapsed "$start" "$(now)")
  cmp -s "$work/out/model.safetensors" "$work/models/model.safetensors"
  kill "$daemon"
  wait "$daemon" || true
  echo "$backup $restore"
}

plain_backup=() plain_restore=() sealed_backup=() sealed_restore=()
for run in $(seq "$runs"); do
  read -r b r < <(measure plain)
  plain_backup+=("$b") plain_restore+=("$r")
  read -r b r < <(measure encrypted)
  sealed_backup+=("$b") sealed_restore+=("$r")
  echo "run $run: plain backup ${plain_backup[-1]} s restore ${plain_restore[-1]} s;" \
       "encrypted backup ${sealed_backup[-1]} s restore ${sealed_restore[-1]} s"
done
if grep -q "encrypted" "$work/vault/vault.json"; then echo "(the last vault was encrypted)"; fi

echo
echo "== $size_mib MiB of float32 weights, median of $runs runs, $(nproc) cores"
for step in backup restore; do
  p_var="plain_${step}[@]" s_var="sealed_${step}[@]"
  p=$(median "${!p_var}") s=$(median "${!s_var}")
  printf '%-8s plain %8s s %6s MiB/s   encrypted %8s s %6s MiB/s   ratio %s\n' "$step" \
    "$p" "$(mib_per_s "$p")" "$s" "$(mib_per_s "$s")" \
    "$(awk -v a="$p" -v b="$s" 'BEGIN { printf "%.2f", a / b }')"
done
