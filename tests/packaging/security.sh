#!/usr/bin/env bash
# `systemd-analyze security --offline=true` must rate modelvaultd.service at most 1.5
# (issue 6; docs/SERVICE.md gives the rating). On failure it prints the score and the
# worst items.
# Also checks that this check can fail: a copy without the hardening must be refused.
#   security.sh SOURCE_DIR
# shellcheck source=tests/packaging/lib.sh
source "$(dirname "$0")/lib.sh"
source_dir=$1
threshold=1.5

# rate UNIT_FILE: prints the overall exposure; returns 1 above the threshold.
rate() {
  local unit=$1 report score
  # --offline reads the file itself (systemd 252); the exit status is not the verdict:
  # the score line is, parsed strictly so that a changed format fails loudly.
  report=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
  score=$(sed -n 's/^→ Overall exposure level for [^:]*: \([0-9]\+\.[0-9]\+\) .*$/\1/p' <<<"$report")
  if [[ -z "$score" ]]; then
    echo "cannot find the overall exposure level in the report of $unit:" >&2
    echo "$report" >&2
    return 2
  fi
  echo "$unit: exposure $score (at most $threshold allowed)"
  if awk -v s="$score" -v t="$threshold" 'BEGIN { exit !(s > t) }'; then
    echo "$unit is rated $score, above $threshold. The items that cost most:" >&2
    grep '^✗' <<<"$report" | awk '{ print $NF "\t" $0 }' | sort -rn | head -n 12 | cut -f2- >&2
    return 1
  fi
}

rate "$source_dir/systemd/modelvaultd.service" || fail "modelvaultd.service is not hardened enough"

# The same unit with its whole sandbox removed (everything from "Identity" to [Install]
# except what makes it a service) must be refused: the check above can fail.
mkdir -p "$scratch/weak"
sed '/^# --- Identity/,/^\[Install\]/{/^\[Install\]/!d}' \
  "$source_dir/systemd/modelvaultd.service" >"$scratch/weak/modelvaultd.service"
if rate "$scratch/weak/modelvaultd.service" 2>/dev/null; then
  fail "an unhardened copy of the unit passed the check"
fi
finish
