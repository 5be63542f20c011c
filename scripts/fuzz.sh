#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang (ASan + UBSan) in build-fuzz/ and
# runs them on their seed corpora (tests/README.md, "Fuzzing"):
#   scripts/fuzz.sh                          every harness for 30 s (what CI runs)
#   scripts/fuzz.sh --seconds 3600 archive   one harness for an hour (nice -n 19 for long runs)
#   scripts/fuzz.sh --cpu-seconds 3600 ...   until it has used an hour of CPU (a busy machine);
#                                            with --seconds too, whichever comes first
#   scripts/fuzz.sh --build-only
#   scripts/fuzz.sh --keep-going ...         go on after a crash (libFuzzer -fork=1), for long runs
# Harnesses: request config manifest history archive. What a run learns stays in
# build-fuzz/corpus/<harness> (the seeds in tests/fuzz/corpus are only read). A crash
# stops that harness, keeps its input as build-fuzz/artifacts/<harness>/crash-… and
# prints how to reproduce it; the script then exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=
cpu_seconds=
build_only=0
keep_going=()
harnesses=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --cpu-seconds) cpu_seconds="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --keep-going) keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); shift ;;
    request|framer|config|manifest|history|archive) harnesses+=("$1"); shift ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N] [--cpu-seconds N] [--keep-going] [--build-only] [request|config|manifest|history|archive]..." >&2
       exit 2 ;;
  esac
done
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=(request framer config manifest history archive)
# A CPU budget alone still ends: on a machine too busy to give it, after 50 times as long.
if [[ -z $seconds ]]; then
  if [[ -n $cpu_seconds ]]; then seconds=$((cpu_seconds * 50)); else seconds=30; fi
fi

# An input that runs this many wall-clock seconds is a hang; a CPU budget means a busy
# machine, where a fair input can wait that long for a CPU: give it ten times as long.
timeout=30
[[ -z $cpu_seconds ]] || timeout=300

scripts/deps.sh fuzz
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DMV_FUZZ=ON -DMV_WERROR=ON \
      -DMV_BUILD_TESTS=OFF -DMV_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
      -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 >/dev/null
cmake --build build-fuzz --target fuzzers -- -j"$(nproc)"
[[ $build_only -eq 0 ]] || exit 0

# CPU seconds used by process $1 and its descendants, the finished ones included (each
# live process's own and reaped children's time, from /proc/PID/stat).
tree_cpu_seconds() {
  local ticks=0 i=0 pid fields
  local pids=("$1")
  while [[ $i -lt ${#pids[@]} ]]; do
    pid=${pids[$i]}
    i=$((i + 1))
    { read -r -a fields <"/proc/$pid/stat"; } 2>/dev/null || continue
    ticks=$((ticks + fields[13] + fields[14] + fields[15] + fields[16]))
    mapfile -t -O "${#pids[@]}" pids < <(pgrep -P "$pid" || true)
  done
  echo $((ticks / $(getconf CLK_TCK)))
}

# The inputs libFuzzer kept because they crashed, leaked, hung or ran out of memory.
find_problems() {
  find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
       -o -name 'oom-*' \) -printf '%f\n'
}

# -timeout counts wall-clock seconds: at nice 19 on a busy machine a 0.2 s input can pass
# it while the fuzzer waits for a CPU. Each new timeout input runs again on its own; one
# that ends within the limit is set aside as starved-… (and said so), a real hang stays.
recheck_timeouts() {
  local harness=$1 artifacts=$2 input start elapsed
  for input in $(find "$artifacts" -maxdepth 1 -type f -name 'timeout-*' -newer "$stamp"); do
    start=$(date +%s)
    if timeout "$timeout" build-fuzz/bin/fuzz_"$harness" "$input" >/dev/null 2>&1; then
      elapsed=$(($(date +%s) - start))
      echo "fuzz_$harness: $(basename "$input") ran to the end in ${elapsed} s on its own:" \
           "the fuzzer was starved of CPU, not hung (kept as starved-…)"
      mv "$input" "$artifacts/starved-$(basename "$input")"
    fi
  done
}

# Archives are bigger than the other inputs; a request nested past the parser's limit
# still fits in 64 KiB.
declare -A max_len=([request]=65536 [framer]=4096 [config]=16384 [manifest]=16384 [history]=8192 [archive]=65536)
failed=()
for harness in "${harnesses[@]}"; do
  corpus=build-fuzz/corpus/$harness
  artifacts=build-fuzz/artifacts/$harness
  mkdir -p "$corpus" "$artifacts"
  dict=()
  [[ $harness == archive || $harness == framer ]] || dict=(-dict=tests/fuzz/json.dict)
  echo "== fuzz_$harness for ${seconds} s${cpu_seconds:+ or ${cpu_seconds} CPU s}"
  before=$(find_problems "$artifacts" | wc -l)
  status=0
  stamp=$(mktemp)
  # Its own session, so that an interrupt reaches every process of libFuzzer's fork mode.
  setsid build-fuzz/bin/fuzz_"$harness" "$corpus" tests/fuzz/corpus/"$harness" "${dict[@]}" \
      -max_total_time="$seconds" -max_len="${max_len[$harness]}" -timeout="$timeout" -rss_limit_mb=2048 \
      -report_slow_units=100000 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 "${keep_going[@]}" \
      2>build-fuzz/fuzz_"$harness".log &
  fuzzer=$!
  interrupted=0
  used=0
  while kill -0 "$fuzzer" 2>/dev/null; do
    sleep 1
    # A process already reaped reads as 0: keep the largest reading.
    now=$(tree_cpu_seconds "$fuzzer")
    [[ $now -le $used ]] || used=$now
    if [[ -n $cpu_seconds && $used -ge $cpu_seconds && $interrupted -eq 0 ]]; then
      kill -INT -- -"$fuzzer" 2>/dev/null || true
      interrupted=1
    fi
  done
  wait "$fuzzer" || status=$?
  # Stopped as asked: only the artifacts (below) tell whether it found something. With
  # --keep-going the interrupted job counts as one crash in the last progress line, and
  # the fork mode's work folder stays behind.
  if [[ $interrupted -ne 0 ]]; then
    status=0
    rm -rf "${TMPDIR:-/tmp}/libFuzzerTemp.FuzzWithFork$fuzzer.dir"
  fi
  echo "fuzz_$harness used ${used} CPU seconds (at the last look, once a second)"
  recheck_timeouts "$harness" "$artifacts"
  rm -f "$stamp"
  if [[ $status -ne 0 && $(find_problems "$artifacts" | wc -l) -eq $before ]]; then
    # Only starved timeouts, now set aside: the run itself found nothing.
    grep -q "ERROR: libFuzzer: timeout" build-fuzz/fuzz_"$harness".log && status=0
  fi
  if [[ $status -ne 0 || $(find_problems "$artifacts" | wc -l) -ne $before ]]; then
    tail -n 60 build-fuzz/fuzz_"$harness".log
    echo "fuzz_$harness found a problem; reproduce with:"
    echo "  build-fuzz/bin/fuzz_$harness $artifacts/crash-…   (or leak-…, timeout-…, oom-…):"
    ls -t "$artifacts" | head -n 10 | sed 's/^/    /'
    failed+=("$harness")
  else
    log=build-fuzz/fuzz_"$harness".log
    summary=$(grep -E "^stat::number_of_executed_units|^stat::new_units_added|^#.*DONE" "$log" | tr '\n' ' ' || true)
    # libFuzzer's fork mode (--keep-going) prints no final stats; its last progress line
    # has the same numbers.
    [[ -n $summary ]] || summary=$(grep -E "^#[0-9]+: cov:" "$log" | tail -n 1 || true)
    echo "$summary"
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "== fuzzing found problems in: ${failed[*]}"
  exit 1
fi
echo "== fuzzing: no crash in ${harnesses[*]}"
