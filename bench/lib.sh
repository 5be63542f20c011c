# Shared by the bench/ scripts (sourced): timing and summary helpers.

now() { date +%s.%N; }
# Seconds from $1 to $2 (both from now()).
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Throughput of $size_mib MiB in $1 seconds.
mib_per_s() { awk -v s="$1" -v m="$size_mib" 'BEGIN { printf "%.0f", m / s }'; }
