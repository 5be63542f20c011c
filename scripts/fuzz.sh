#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang (ASan + UBSan) in build-fuzz/ and
# runs them on their seed corpora (tests/README.md, "Fuzzing"):
#   scripts/fuzz.sh                          every harness for 30 s (what CI runs)
#   scripts/fuzz.sh --seconds 3600 archive   one harness for an hour (nice -n 19 for long runs)
#   scripts/fuzz.sh --build-only
#   scripts/fuzz.sh --keep-going ...         go on after a crash (libFuzzer -fork=1), for long runs
# Harnesses: request config manifest history archive. What a run learns stays in
# build-fuzz/corpus/<harness> (the seeds in tests/fuzz/corpus are only read). A crash
# stops that harness, keeps its input as build-fuzz/artifacts/<harness>/crash-… and
# prints how to reproduce it; the script then exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
build_only=0
keep_going=()
harnesses=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --keep-going) keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); shift ;;
    request|config|manifest|history|archive) harnesses+=("$1"); shift ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N] [--keep-going] [--build-only] [request|config|manifest|history|archive]..." >&2
       exit 2 ;;
  esac
done
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=(request config manifest history archive)

scripts/deps.sh fuzz
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DMV_FUZZ=ON -DMV_WERROR=ON \
      -DMV_BUILD_TESTS=OFF -DMV_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
      -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
cmake --build build-fuzz --target fuzzers -- -j"$(nproc)"
[[ $build_only -eq 0 ]] || exit 0

# Archives are bigger than the other inputs; a request nested past the parser's limit
# still fits in 64 KiB.
declare -A max_len=([request]=65536 [config]=16384 [manifest]=16384 [history]=8192 [archive]=65536)
failed=()
for harness in "${harnesses[@]}"; do
  corpus=build-fuzz/corpus/$harness
  artifacts=build-fuzz/artifacts/$harness
  mkdir -p "$corpus" "$artifacts"
  dict=()
  [[ $harness == archive ]] || dict=(-dict=tests/fuzz/json.dict)
  echo "== fuzz_$harness for ${seconds} s"
  before=$(ls "$artifacts" | wc -l)
  status=0
  build-fuzz/bin/fuzz_"$harness" "$corpus" tests/fuzz/corpus/"$harness" "${dict[@]}" \
      -max_total_time="$seconds" -max_len="${max_len[$harness]}" -timeout=30 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 "${keep_going[@]}" \
      2>build-fuzz/fuzz_"$harness".log || status=$?
  if [[ $status -ne 0 || $(ls "$artifacts" | wc -l) -ne $before ]]; then
    tail -n 60 build-fuzz/fuzz_"$harness".log
    echo "fuzz_$harness found a problem; reproduce with:"
    echo "  build-fuzz/bin/fuzz_$harness $artifacts/crash-…   (or leak-…, timeout-…, oom-…):"
    ls -t "$artifacts" | head -n 10 | sed 's/^/    /'
    failed+=("$harness")
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added|^#.*DONE" build-fuzz/fuzz_"$harness".log | tr '\n' ' '
    echo
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "== fuzzing found problems in: ${failed[*]}"
  exit 1
fi
echo "== fuzzing: no crash in ${harnesses[*]}"
