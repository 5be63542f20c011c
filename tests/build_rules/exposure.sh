#!/usr/bin/env bash
# A library exposes only its own headers and those of its public dependencies
# (cmake/StandardSettings.cmake, mv_component; ARCHITECTURE.md, "Who may include whom"):
# with mv_vault's include path a vault header compiles, a header of its dependency store
# too, and a header of http, which vault does not depend on, is not found.
#   exposure.sh COMPILER -I<dir>...      exit 0 when all three hold
set -euo pipefail
compiler=$1
shift
probe() { # HEADER -I<dir>...: preprocesses a file that includes HEADER; prints any complaint
    local header=$1
    shift
    printf '#include "%s"\n' "$header" | "$compiler" -std=c++20 -E -o /dev/null "$@" -x c++ - 2>&1 || true
}
failed=0
for header in vault/vault.hpp store/store.hpp util/fs.hpp; do
    if out=$(probe "$header" "$@") && [[ -n $out ]]; then
        echo "FAIL: $header should be visible with mv_vault's include path: $out" >&2
        failed=1
    fi
done
out=$(probe http/router.hpp "$@")
if [[ $out != *"http/router.hpp: No such file"* ]]; then
    echo "FAIL: http/router.hpp resolved with mv_vault's include path (vault does not depend on http)" >&2
    failed=1
fi
exit "$failed"
