#!/usr/bin/env bash
# A throwaway single-node Ceph cluster (one monitor, one OSD) and a RADOS Gateway (S3)
# on 127.0.0.1, for the S3 tests (tests/ceph/README.md).
#   gateway.sh start DIR   start it with its state in DIR (wiped first); writes DIR/env
#                          (S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). When the
#                          Ceph programs are not installed it writes the reason to
#                          DIR/skip and succeeds: the tests then skip and say why.
#   gateway.sh stop DIR    stop the daemons started from DIR and remove DIR
#   gateway.sh stop-rgw DIR / start-rgw DIR   stop or restart the gateway alone (outages)
# Ports are chosen free at start, so several gateways (two worktrees) can run at once.
# Costs about 20-40 s and 330 MB of memory; the OSD is a sparse 4 GiB file in DIR.
set -euo pipefail

action=${1:-}
dir=${2:-}
[[ -n $action && -n $dir ]] || { echo "usage: gateway.sh start|stop|stop-rgw|start-rgw DIR" >&2; exit 2; }
dir=$(realpath -m "$dir")
conf=$dir/ceph.conf
ip=127.0.0.1
access_key=MVTESTACCESSKEY00001
secret_key=mvtestsecretkey000000000000000000000001

log() { echo "[ceph-gateway $(date +%T)] $*" >&2; }

# A TCP port nobody listens on (the kernel picks it; a race is possible but unlikely).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

alive() { [[ -f $dir/run/$1.pid ]] && kill -0 "$(cat "$dir/run/$1.pid")" 2>/dev/null; }

# Stops the daemon `name` if its pid file names a process started with our ceph.conf.
stop_daemon() {
  local name=$1 file=$dir/run/$1.pid pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if [[ -n $pid && -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$conf"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name ($pid) ignored SIGTERM; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

stop_all() {
  [[ -d $dir/run ]] || return 0
  for name in client.rgw.s3 osd.0 mon.a; do stop_daemon "$name"; done
}

fail() {
  log "ERROR: $*"
  for f in "$dir"/log/*.log "$dir"/log/*.out; do
    [[ -f $f ]] && { echo "== $f" >&2; tail -n 20 "$f" >&2; }
  done
  stop_all
  exit 1
}

# Waits up to $1 half-seconds for `$2...` to succeed; fails with $message otherwise.
wait_for() {
  local tries=$1; shift
  for _ in $(seq 1 "$tries"); do "$@" && return 0; sleep 0.5; done
  return 1
}

write_conf() {
  local fsid=$1 mon_port=$2 rgw_port=$3 osd_ports=$4
  cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:$ip:$mon_port
public addr = $ip
cluster addr = $ip
ms bind ipv6 = false
ms bind msgr1 = false
ms bind port min = $osd_ports
ms bind port max = $((osd_ports + 99))
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
log to stderr = false
err to stderr = true
crash dir = $dir/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd crush update on start = false
mon allow pool size one = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon warn on insecure global id reclaim = false
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0
mgr initial modules =

[mon]
mon data = $dir/mon
mon cluster log file = $dir/log/mon-cluster.log

[osd]
osd data = $dir/osd
osd objectstore = bluestore
bluestore block create = true
bluestore block size = $((4 << 30))
bluestore fsck on mount = false
bluestore cache autotune = false
bluestore cache size = 268435456
osd memory target = 939524096
osd class load list = *
osd class default list = *

[client]
# with auth none, radosgw is refused (-13) unless the monitor connection mode is crc
ms mon client mode = crc

[client.rgw.s3]
rgw init timeout = 180
rgw frontends = beast endpoint=$ip:$rgw_port
rgw data = $dir/rgw
rgw enable usage log = false
CONF
}

gateway_answers() {
  curl -s -o /dev/null -D - --max-time 2 "$(cat "$dir/endpoint")/" 2>/dev/null | grep -qi '^x-amz-request-id'
}

start_rgw() {
  radosgw -c "$conf" -n client.rgw.s3 || fail "radosgw did not start"
  # generous deadlines: the machine may be loaded by parallel builds
  wait_for 480 gateway_answers || fail "radosgw does not answer on $(cat "$dir/endpoint")"
}

start() {
  local missing=()
  for program in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool uuidgen curl python3; do
    command -v "$program" >/dev/null || missing+=("$program")
  done
  stop_all
  rm -rf "$dir"
  mkdir -p "$dir"/{mon,osd,log,run,rgw}
  if ((${#missing[@]} > 0)); then
    echo "the S3 gateway tests need ${missing[*]}: run scripts/deps.sh test" | tee "$dir/skip" >&2
    exit 0
  fi
  local started=$SECONDS fsid osd_uuid mon_port rgw_port osd_ports
  fsid=$(uuidgen)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  osd_ports=$((20000 + RANDOM % 400 * 100))
  echo "http://$ip:$rgw_port" >"$dir/endpoint"
  write_conf "$fsid" "$mon_port" "$rgw_port" "$osd_ports"
  export CEPH_CONF=$conf

  log "monitor on $ip:$mon_port"
  monmaptool --create --fsid "$fsid" --addv a "[v2:$ip:$mon_port]" --enable-all-features \
    --set-min-mon-release pacific "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" --keyring /dev/null
  ceph-mon -c "$conf" -i a || fail "ceph-mon did not start"
  wait_for 120 timeout 10 ceph -c "$conf" mon stat >/dev/null 2>&1 || fail "the monitor does not answer"

  log "OSD (bluestore, sparse 4 GiB in $dir/osd)"
  osd_uuid=$(uuidgen)
  [[ $(ceph -c "$conf" osd new "$osd_uuid") == 0 ]] || fail "the OSD did not get id 0"
  ceph -c "$conf" osd crush add osd.0 1 root=default >/dev/null 2>&1
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.out" 2>&1 || fail "OSD mkfs failed"
  ceph-osd -c "$conf" -i 0 >>"$dir/log/osd-start.out" 2>&1 || fail "ceph-osd did not start"
  osd_up() { ceph -c "$conf" osd dump 2>/dev/null | grep -q '^osd.0 up'; }
  wait_for 240 osd_up || fail "osd.0 did not come up"

  log "gateway on $(cat "$dir/endpoint")"
  start_rgw
  radosgw-admin -c "$conf" -n client.admin user create --uid=modelvault-test \
    --display-name="modelvault tests" --access-key="$access_key" --secret-key="$secret_key" \
    >"$dir/user.json" 2>"$dir/log/radosgw-admin.err" || fail "the S3 user was not created"
  cat >"$dir/env" <<ENV
S3_ENDPOINT=$(cat "$dir/endpoint")
AWS_ACCESS_KEY_ID=$access_key
AWS_SECRET_ACCESS_KEY=$secret_key
ENV
  log "up in $((SECONDS - started)) s"
}

case $action in
  start) start ;;
  stop) stop_all; rm -rf "$dir"; log "stopped" ;;
  stop-rgw) stop_daemon client.rgw.s3 ;;
  start-rgw) export CEPH_CONF=$conf; start_rgw ;;
  *) echo "usage: gateway.sh start|stop|stop-rgw|start-rgw DIR" >&2; exit 2 ;;
esac
