#!/usr/bin/env bash
# Off-site replica against restic on the same S3 server (issue 14, docs/REPLICAS.md):
# a throwaway RADOS Gateway (tests/ceph/gateway.sh), a model of SIZE_MIB MiB of float32
# weights (mv_gen_weights), then the same model with 10 % of it rewritten.
#   - modelvaultd: the time from the version's commit until its replica is up to date,
#     and the bytes the replica uploaded (status: replicas[].uploaded_bytes);
#   - restic 0.14 (`restic -r s3:…`): the time of `restic backup` and the bytes it
#     added to the repository (its own summary).
# Both compress (zstd). One run each; run it under `nice` on a quiet machine.
#
#   bench/replica_bench.sh BUILD_BIN_DIR [SIZE_MIB]      e.g. bench/replica_bench.sh build/bin 1024
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=$(realpath "${1:?usage: bench/replica_bench.sh BUILD_BIN_DIR [SIZE_MIB]}")
size_mib=${2:-1024}
source bench/lib.sh

work=$(mktemp -d /var/tmp/mv-replica-bench.XXXXXX)
daemon_pid=""
cleanup() {
  [[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  bash tests/ceph/gateway.sh stop "$work/gateway" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bash tests/ceph/gateway.sh start "$work/gateway" 2>"$work/gateway.log" || { cat "$work/gateway.log" >&2; exit 1; }
set -a; source "$work/gateway/env"; set +a
sign=(--aws-sigv4 aws:amz:us-east-1:s3 -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
      -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
curl -sf -X PUT "${sign[@]}" "$S3_ENDPOINT/mv-bench" >/dev/null

mkdir -p "$work/models"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
  "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$work/credentials"
chmod 600 "$work/credentials"
cat >"$work/config.json" <<JSON
{ "vault": "$work/vault", "socket": "$work/mv.sock", "io_priority": "normal",
  "watches": [{ "name": "lab", "path": "$work/models", "settle": "1s" }],
  "replicas": [{ "name": "offsite", "parallel": 4,
                 "s3": { "endpoint": "$S3_ENDPOINT", "bucket": "mv-bench",
                         "credentials_file": "$work/credentials" } }] }
JSON
"$bindir/mv_gen_weights" "$size_mib" "$work/model.safetensors" 7
# The second version: 10 % of the file, in the middle, rewritten with other weights.
cp "$work/model.safetensors" "$work/model-v2.safetensors"
"$bindir/mv_gen_weights" $((size_mib / 10)) "$work/patch" 8
dd if="$work/patch" of="$work/model-v2.safetensors" bs=1M seek=$((size_mib / 2)) conv=notrunc \
   status=none

"$bindir/modelvaultd" --config "$work/config.json" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
ctl() { "$bindir/modelvaultctl" --socket "$work/mv.sock" "$@"; }
for _ in $(seq 1 600); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done

status_field() { ctl status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['replicas'][0]['$1'])"; }
versions() { ctl list --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)['versions']))"; }

# Copies $1 into the watch, waits for version $2 and then for the replica; prints
# "seconds bytes" of the replication.
replicate() {
  local before
  before=$(status_field uploaded_bytes)
  cp "$1" "$work/models/.model.tmp" && mv "$work/models/.model.tmp" "$work/models/model.safetensors"
  until [[ $(versions) -ge $2 ]]; do sleep 0.2; done
  local start; start=$(now)
  until [[ $(status_field pending_versions) == 0 && $(status_field running) == False &&
           $(status_field uploaded_bytes) -gt $before ]]; do sleep 0.2; done
  echo "$(elapsed "$start" "$(now)") $(($(status_field uploaded_bytes) - before))"
}

export RESTIC_PASSWORD=bench RESTIC_REPOSITORY="s3:$S3_ENDPOINT/restic-bench"
restic init >/dev/null 2>&1
# restic's summary line: "Added to the repository: 1.001 GiB (1.001 GiB stored)".
restic_backup() {
  local start end added
  mkdir -p "$work/restic-src" && cp "$1" "$work/restic-src/model.safetensors"
  start=$(now)
  added=$(restic backup --compression auto "$work/restic-src" 2>&1 | tee -a "$work/restic.log" |
          sed -n 's/.*Added to the repository: .*(\(.*\) stored).*/\1/p')
  end=$(now)
  echo "$(elapsed "$start" "$end") $added"
}

read -r mv_t1 mv_b1 < <(replicate "$work/model.safetensors" 1)
read -r mv_t2 mv_b2 < <(replicate "$work/model-v2.safetensors" 2)
read -r rs_t1 rs_b1 < <(restic_backup "$work/model.safetensors")
read -r rs_t2 rs_b2 < <(restic_backup "$work/model-v2.safetensors")

echo "replica benchmark: ${size_mib} MiB of float32 weights, then 10 % rewritten; gateway $S3_ENDPOINT"
printf '%-28s %12s %14s %22s\n' "" "first (s)" "first MiB/s" "second: bytes uploaded"
printf '%-28s %12s %14s %22s\n' "modelvault replica" "$mv_t1" "$(mib_per_s "$mv_t1")" "$mv_b2 B"
printf '%-28s %12s %14s %22s\n' "restic backup (s3)" "$rs_t1" "$(mib_per_s "$rs_t1")" "$rs_b2"
echo "modelvault first version uploaded $mv_b1 B; restic stored $rs_b1"
