#!/usr/bin/env bash
# One command from a fresh Debian 12 checkout to a tested build:
# installs what is missing, builds with warnings as errors and runs every test, then
# builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite
# under them, then fuzzes every parser of untrusted bytes for 30 s each (scripts/fuzz.sh).
# The release tests include the short torture and power-cut suites (tests/README.md).
# Set MV_SKIP_SANITIZERS=1 and MV_SKIP_FUZZ=1 for a quicker local run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/deps.sh test

# Tests write only into build folders (/build*/ is ignored by git): the checkout must look
# the same after them. On CI the tree is clean, so `git status --porcelain` must stay empty;
# locally, uncommitted edits are allowed but must not change.
checkout_state() {
  git status --porcelain -uall
  git diff HEAD | sha256sum
}
in_git=false
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  in_git=true
  state_before=$(checkout_state)
else
  echo "== note: not a git checkout: the check that tests leave the checkout unchanged is skipped"
fi

# Unity builds parse the big headers (Asio, nlohmann-json, GoogleTest) once per batch of
# files instead of once per file: CI on two cores stays well under 20 minutes.
common=(-G Ninja -DMV_WERROR=ON)
unity=(-DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16)

echo "== build (warnings are errors)"
cmake -S . -B build "${common[@]}" "${unity[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build build -- -j"$jobs"
echo "== format check"
cmake --build build --target check_format
# Tests labelled `root` create users, switch to them (access control by real peers) and
# chown files: they run only as root, as in CI.
if [[ $(id -u) -eq 0 ]]; then
  exclude=()
  exclude_asan="restic"
else
  exclude=(-LE root)
  exclude_asan="restic|root"
  echo "== note: tests labelled 'root' (access control with real users, sysusers/tmpfiles) are left out: they need root (run this script as root to include them)"
fi

echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs" "${exclude[@]}"

if [[ "${MV_SKIP_SANITIZERS:-0}" != "1" ]]; then
  echo "== build with ASan + UBSan"
  cmake -S . -B build-asan "${common[@]}" "${unity[@]}" -DMV_SANITIZE=ON -DMV_BUILD_BENCH=OFF \
        -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" >/dev/null
  cmake --build build-asan -- -j"$jobs"
  echo "== tests under ASan + UBSan"
  # The restic differential test spends its time in restic itself; it ran above.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "$exclude_asan"
fi
if [[ "${MV_SKIP_FUZZ:-0}" != "1" ]]; then
  echo "== fuzzing: each harness for 30 s (clang, libFuzzer, ASan + UBSan)"
  scripts/fuzz.sh --seconds 30
fi
if $in_git; then
  echo "== the tests left the checkout as it was (git status --porcelain)"
  if [[ $(checkout_state) != "$state_before" ]]; then
    echo "FAIL: the tests changed files in the checkout outside the build folders:" >&2
    git status --porcelain -uall >&2
    exit 1
  fi
fi
echo "== all tests passed"
