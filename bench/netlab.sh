#!/bin/bash
# bench/netlab.sh - the benchmark's lab of network namespaces with capped links (tbf; no netem).
# Adapted from ../shared/netlab.sh; the repo does not depend on it at run time.
#
#   netlab.sh up N RATE1 [RATE2 ... RATEN]  create ${P}cli + ${P}srv1..N; link I capped at RATEI
#                                           in both directions (missing rates reuse the last one;
#                                           "none" = uncapped)
#   netlab.sh rate I RATE                   re-cap link I (both directions) on a running lab
#   netlab.sh exec cli|srvI CMD...          run CMD inside a lab namespace
#   netlab.sh status                        namespaces, addresses, qdisc counters, pids
#   netlab.sh down                          kill processes inside the lab namespaces, delete them
#
# Topology (nothing is added to the root namespace; no route leaves the lab):
#   ${P}cli:  bridge br0 10.98.0.1/24, ports vs1..vsN       (the downloading / uploading host)
#   ${P}srvI: eth0 10.98.0.(10+I)/24 <-veth-> vsI in ${P}cli (serving host I)
# Link I is capped on srvI's eth0 egress (what srvI sends: downloads) and on vsI's egress in
# ${P}cli (what the client host sends to srvI: uploads).
# Env: NETLAB_PREFIX (default "tmb": never clashes with the test suite's "tmt" or netlab's "nl"),
#      NETLAB_BURST (tbf burst, default 64kb), NETLAB_LATENCY (tbf queue, default 100ms),
#      NETLAB_STATE (state dir).
# tc units: "mbit" = 10^6 bit/s. tbf counts L2 bytes, so TCP goodput is ~95.6% of the rate at
# MTU 1500.
set -euo pipefail
P=${NETLAB_PREFIX:-tmb}
NET=10.98.0
BURST=${NETLAB_BURST:-64kb}
LATENCY=${NETLAB_LATENCY:-100ms}
STATE=${NETLAB_STATE:-/tmp/netlab-$P}
CLI=${P}cli

die() { echo "netlab: $*" >&2; exit 1; }
nsx() { ip netns exec "$@"; }

shape() { # ns dev rate
  local ns=$1 dev=$2 rate=$3
  if [ "$rate" = none ]; then
    nsx "$ns" tc qdisc del dev "$dev" root 2>/dev/null || true
    return 0
  fi
  nsx "$ns" tc qdisc replace dev "$dev" root tbf rate "$rate" burst "$BURST" latency "$LATENCY"
}

shape_link() { # i rate
  shape "${P}srv$1" eth0 "$2"
  shape "$CLI" "vs$1" "$2"
}

reachable() { # ip
  local out
  out=$(nsx "$CLI" timeout 1 bash -c "exec 3<>/dev/tcp/$1/9" 2>&1) || true
  [[ $out == *refused* ]]
}

up() {
  local n=${1:-}; shift || true
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 50 ] || die "usage: up N RATE..."
  [ $# -ge 1 ] || die "need at least one rate (e.g. 80mbit)"
  [ -e "$STATE/namespaces" ] && die "lab '$P' already up (state in $STATE); run down first"
  mkdir -p "$STATE"; : > "$STATE/namespaces"; : > "$STATE/servers"
  # A half-built lab is torn down again, whatever stops the build.
  trap "down >/dev/null 2>&1 || true" EXIT
  ip netns add "$CLI"; echo "$CLI" >> "$STATE/namespaces"
  nsx "$CLI" ip link set lo up
  nsx "$CLI" ip link add br0 type bridge
  nsx "$CLI" ip addr add "$NET.1/24" dev br0
  nsx "$CLI" ip link set br0 up
  local i rate rates=("$@")
  for ((i = 1; i <= n; i++)); do
    rate=${rates[$((i - 1))]:-${rates[-1]}}
    local ns=${P}srv$i
    ip netns add "$ns"; echo "$ns" >> "$STATE/namespaces"
    nsx "$ns" ip link set lo up
    ip link add "vs$i" netns "$CLI" type veth peer name eth0 netns "$ns"
    nsx "$CLI" ip link set "vs$i" master br0
    nsx "$CLI" ip link set "vs$i" up
    nsx "$ns" ip addr add "$NET.$((10 + i))/24" dev eth0
    nsx "$ns" ip link set eth0 up
    shape_link "$i" "$rate"
    echo "$ns $NET.$((10 + i)) $rate" >> "$STATE/servers"
  done
  # Bridge ports need a moment to forward. No ping here: a TCP connect to a closed port that
  # is refused (RST) proves the path works both ways.
  for ((i = 1; i <= n; i++)); do
    local ok=
    for _ in $(seq 50); do reachable "$NET.$((10 + i))" && { ok=1; break; }; sleep 0.1; done
    [ -n "$ok" ] || die "link $i does not forward"
  done
  trap - EXIT
  echo "netlab '$P' up: client $CLI=$NET.1"; cat "$STATE/servers"
}

rate() {
  local i=${1:?usage: rate I RATE} r=${2:?usage: rate I RATE}
  [ -e "$STATE/servers" ] || die "lab not up"
  shape_link "$i" "$r"
  sed -i "s/^\(${P}srv$i [^ ]*\) .*/\1 $r/" "$STATE/servers"
}

status() {
  [ -e "$STATE/namespaces" ] || { echo "netlab '$P' is down"; return 0; }
  while read -r ns; do
    echo "== $ns"; nsx "$ns" ip -br addr | grep -v '^lo' || true
    nsx "$ns" tc -s qdisc show | grep -A2 tbf || true
    echo "   pids: $(ip netns pids "$ns" | tr '\n' ' ')"
  done < "$STATE/namespaces"
}

# Every namespace of this lab: the recorded ones, and any left by a run that was killed
# before it could clean up (the prefix is ours alone).
lab_namespaces() {
  { [ -e "$STATE/namespaces" ] && cat "$STATE/namespaces"; ip netns list | awk '{print $1}' | grep -E "^${P}(cli|srv[0-9]+)$"; } | sort -u
}

down() {
  local ns pid
  for ns in $(lab_namespaces); do
    ip netns list | awk '{print $1}' | grep -qx "$ns" || continue
    # Only processes this lab started can live in its namespaces; exact pids, never by name.
    for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 30); do [ -z "$(ip netns pids "$ns")" ] && break; sleep 0.1; done
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns"   # deleting the netns destroys its veth ends and the bridge
    echo "deleted netns $ns"
  done
  rm -rf "$STATE"
}

cmd=${1:-}; shift || true
case $cmd in
  up) up "$@" ;;
  rate) rate "$@" ;;
  exec) w=${1:?usage: exec cli|srvI CMD...}; shift; exec ip netns exec "$P$w" "$@" ;;
  status) status ;;
  down) down ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
