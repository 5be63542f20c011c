#!/usr/bin/env bash
# Rules of the source tree that a compiler does not check (ARCHITECTURE.md, "Rules"):
#   - no clock is read outside util/time.cpp: code is handed a Clock (util/time.hpp), so
#     tests can drive time;
#   - no time-zone function outside util/local_time.cpp, the one local-time module;
#   - comments cite the project's own documents (docs/*.md, ARCHITECTURE.md), never a
#     specification that is not in the repository;
#   - no command handler (daemon/commands/) includes daemon/daemon.hpp: handlers see the
#     daemon only through Services (daemon/services.hpp), so they can be tested without it.
# Tests and benchmarks are exempt from the first two (they measure real time).
#   check_sources.sh [SOURCE_DIR]      exit 0 when every rule holds, 1 with the offenders
set -euo pipefail
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)
cd "$root"

sources() { # the C++ sources outside build folders, tests and benchmarks when $1 = product
    find . \( -path './build*' -o -path './.git' \) -prune -o -type f \
         \( -name '*.cpp' -o -name '*.hpp' \) -print |
        sed 's|^\./||' | sort |
        if [[ "$1" == product ]]; then grep -Ev '^(tests|bench)/'; else cat; fi
}

failed=0
offenders() { # RULE REGEX ALLOWED_FILE... : lists the lines of product sources that match
    # One grep over every file (a grep per file took a minute on a loaded machine).
    local rule=$1 regex=$2
    shift 2
    local allowed=" $* " hits="" line
    while IFS= read -r line; do
        [[ "$allowed" == *" ${line%%:*} "* ]] || hits+="$line"$'\n'
    done < <(sources product | xargs grep -nHE "$regex" || true)
    if [[ -n "$hits" ]]; then
        echo "check_sources: $rule:" >&2
        printf '%s' "$hits" >&2
        failed=1
    fi
}

offenders "a clock read outside util/time.cpp (take a Clock: util/time.hpp)" \
    '(steady_clock|system_clock|high_resolution_clock)::now|clock_gettime|gettimeofday|[^_a-z]time\((nullptr|NULL|0)\)' \
    util/time.cpp
offenders "a time-zone function outside util/local_time.cpp (use util/local_time.hpp)" \
    '(^|[^_a-z])(localtime|localtime_r|mktime|tzset)[[:space:]]*\(' \
    util/local_time.cpp

handler_hits=$(sources product | grep '^daemon/commands/' |
                   xargs grep -nHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"daemon/daemon\.hpp"' || true)
if [[ -n "$handler_hits" ]]; then
    echo "check_sources: a command handler includes daemon/daemon.hpp (use Services: daemon/services.hpp):" >&2
    echo "$handler_hits" >&2
    failed=1
fi

spec_hits=$(sources all | xargs grep -nE '(//|#|/\*).*\b(SPEC|STYLE)\b' 2>/dev/null || true)
spec_hits+=$(find . \( -path './build*' -o -path './.git' \) -prune -o -type f \
                  \( -name 'CMakeLists.txt' -o -name '*.cmake' -o -name '*.sh' -o -name '*.py' \) \
                  -print | xargs grep -nE '#.*\b(SPEC|STYLE)\b' 2>/dev/null | grep -v '^./scripts/check_sources.sh' || true)
if [[ -n "$spec_hits" ]]; then
    echo "check_sources: a comment cites SPEC or STYLE, which are not in the repository (cite docs/*.md or ARCHITECTURE.md):" >&2
    echo "$spec_hits" >&2
    failed=1
fi
exit "$failed"
