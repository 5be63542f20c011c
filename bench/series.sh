#!/usr/bin/env bash
# Storage per version on issue 12's checkpoint series, side by side in one run:
#   modelvault (format 2), restic, borg (--compression zstd,3) and a full tar | zstd -3
#   copy per version, on VERSIONS safetensors float32 checkpoints of SIZE_MIB made of
#   1-8 MiB tensors, each rewriting whole tensors until >= 10 % of the bytes changed
#   (bench/gen_series.cpp); then the size of a fresh float32 and bfloat16 model in the
#   vault against zstd -3.
#
#   bench/series.sh [SIZE_MIB] [VERSIONS]      defaults: 256 10
# Environment: MV_BUILD_DIR (default build-release), MV_BENCH_DIR (default var/bench-series).
# restic and borg are used when installed (scripts/deps.sh bench installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
size_mib=${1:-256}
versions=${2:-10}
build=${MV_BUILD_DIR:-$root/build-release}
work=${MV_BENCH_DIR:-$root/var/bench-series}

scripts/deps.sh bench
# An existing build folder is used as it is configured (it may hold the tests too).
[[ -f "$build/build.ninja" ]] ||
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMV_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target modelvaultd modelvaultctl mv_gen_series >/dev/null

rm -rf "$work"
mkdir -p "$work/series" "$work/bf16" "$work/models" "$work/fresh"
echo "generating $versions versions of a $size_mib MiB float32 checkpoint in $work/series"
"$build/bin/mv_gen_series" "$work/series" "$size_mib" "$versions" 10
"$build/bin/mv_gen_series" "$work/bf16" "$size_mib" 1 --dtype bf16 --seed 7

cat > "$work/modelvault.json" <<JSON
{ "vault": "$work/vault", "socket": "$work/mv.sock", "io_priority": "normal",
  "watches": [ { "name": "bench", "path": "$work/models", "triggers": { "on_change": false } },
               { "name": "fresh", "path": "$work/fresh", "triggers": { "on_change": false } } ] }
JSON
"$build/bin/modelvaultd" --config "$work/modelvault.json" --log-level warn &
daemon=$!
trap 'kill $daemon 2>/dev/null || true; wait $daemon 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -S "$work/mv.sock" ]] && break; sleep 0.1; done
ctl=("$build/bin/modelvaultctl" --socket "$work/mv.sock" --no-progress)

bytes() { du -sb "$1" | cut -f1; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
have_restic=0 have_borg=0
command -v restic >/dev/null 2>&1 && have_restic=1
command -v borg >/dev/null 2>&1 && have_borg=1
export RESTIC_PASSWORD=bench BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes
[[ $have_restic -eq 0 ]] || restic init --quiet --repo "$work/restic" >/dev/null
[[ $have_borg -eq 0 ]] || borg init --encryption none "$work/borg" >/dev/null
model="$work/models/model.safetensors"

printf '%-8s %12s %12s %12s %12s\n' version modelvault restic borg 'tar|zstd-3'
sums=(0 0 0 0)
prev=(0 0 0 0)
for v in $(seq -f %02g "$versions"); do
  cp "$work/series/v$v.safetensors" "$model"
  "${ctl[@]}" backup bench/model.safetensors >/dev/null
  now=("$(bytes "$work/vault")" 0 0 0)
  if [[ $have_restic -eq 1 ]]; then
    restic backup --quiet --repo "$work/restic" "$model" >/dev/null
    now[1]=$(bytes "$work/restic")
  fi
  if [[ $have_borg -eq 1 ]]; then
    borg create --compression zstd,3 "$work/borg::v$v" "$model"
    now[2]=$(bytes "$work/borg")
  fi
  tar -cf - -C "$work/models" model.safetensors | zstd -3 -T0 -q > "$work/v$v.tar.zst"
  now[3]=$(( prev[3] + $(stat -c %s "$work/v$v.tar.zst") ))
  rm "$work/v$v.tar.zst"
  growth=()
  for i in 0 1 2 3; do
    growth+=($(( now[i] - prev[i] )))
    [[ $v == 01 ]] || sums[i]=$(( sums[i] + now[i] - prev[i] ))
  done
  [[ $v != 01 ]] || first_growth=${growth[0]}
  printf '%-8s %9s MiB %9s MiB %9s MiB %9s MiB\n' "v$v" "$(mib "${growth[0]}")" \
    "$(mib "${growth[1]}")" "$(mib "${growth[2]}")" "$(mib "${growth[3]}")"
  prev=("${now[@]}")
done
n=$(( versions - 1 ))
echo
echo "== growth per version after the first (mean of $n), $size_mib MiB float32, $(nproc) cores"
for i in 0 1 2 3; do
  name=(modelvault restic borg 'tar|zstd-3')
  printf '%-12s %8s MiB\n' "${name[i]}" "$(mib $(( sums[i] / n )))"
done
if [[ $have_restic -eq 1 ]]; then
  awk -v a="${sums[0]}" -v b="${sums[1]}" 'BEGIN { printf "modelvault / restic: %.2f\n", a / b }'
fi
if [[ $have_borg -eq 1 ]]; then
  awk -v a="${sums[0]}" -v b="${sums[2]}" 'BEGIN { printf "modelvault / borg:   %.2f\n", a / b }'
fi

echo
echo "== a fresh model in the vault (stored bytes / model bytes), against zstd -3"
# float32: the vault's growth with the series' first version (above); bfloat16: a model
# of its own, sharing no chunk with the vault.
cp "$work/bf16/v01.safetensors" "$work/fresh/bf16.safetensors"
before=$(bytes "$work/vault")
"${ctl[@]}" backup fresh/bf16.safetensors >/dev/null
bf16_growth=$(( $(bytes "$work/vault") - before ))
for kind in f32 bf16; do
  if [[ $kind == f32 ]]; then file=$work/series/v01.safetensors stored=$first_growth
  else file=$work/bf16/v01.safetensors stored=$bf16_growth; fi
  zstd_bytes=$(zstd -3 -T0 -c "$file" | wc -c)
  awk -v k="$kind" -v s="$stored" -v z="$zstd_bytes" -v n="$(stat -c %s "$file")" \
    'BEGIN { printf "%-5s modelvault %.3f   zstd -3 %.3f\n", k, s / n, z / n }'
done
