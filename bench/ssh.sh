#!/usr/bin/env bash
# An SSH egress with one SSH connection beside the same egress with a pool of four, end to end through the
# published agent, with eight parallel downloads from the LAN:
#   lan (198.51.100.2) — lan0 [router: galaxy agent] wan0 (192.0.2.1) — inet (192.0.2.2; on lo: web 203.0.113.10,
#   the VPS 203.0.113.1 running the forwarding-only sshd that `galaxy vps ssh` made)
# Each round starts the agent with `connections = 1` or `= 4`, waits for the egress, runs eight curl downloads
# of SIZE bytes at once (each bounded by `timeout`), and records the aggregate rate. Everything lives in
# namespaces with a unique prefix and a temporary account, all removed at exit, whatever happens.
# Knobs: ROUNDS (default 3), SIZE (bytes per download, default 200000000), GALAXY_BINARY.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
source bench/_lib.sh

binary=$(readlink -f "${GALAXY_BINARY:-artifacts/galaxy}")
rounds=${ROUNDS:-3}
size=${SIZE:-200000000}
[[ -x $binary ]] || { echo "ssh.sh: $binary missing: run ./build.sh publish" >&2; exit 1; }
for tool in ip nft curl socat /usr/sbin/sshd ssh setpriv useradd python3; do
  command -v "$tool" >/dev/null || { echo "ssh.sh: $tool missing" >&2; exit 1; }
done

prefix=glxsb-$$
lan=$prefix-lan router=$prefix-router inet=$prefix-inet
user=gxbench$$
work=$(mktemp -d /tmp/glxsb.XXXXXX)
chmod 755 "$work"
agent_pid=
cleanup() {
  local ns
  if [[ -n $agent_pid ]]; then kill "$agent_pid" 2>/dev/null || true; fi
  for ns in "$lan" "$router" "$inet"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
  done
  userdel -f "$user" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '[ssh.sh %s] %s\n' "$(date -u +%T)" "$*" >&2; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- topology (RouterLab's) ---------------------------------------------------------------------------
three_hop_lab "$lan" "$router" "$inet"
ip -n "$lan" address add 198.51.100.2/24 dev eth0
ip -n "$router" address add 198.51.100.1/24 dev lan0
ip -n "$router" address add 192.0.2.1/24 dev wan0
ip -n "$inet" address add 192.0.2.2/24 dev eth0
ip -n "$inet" address add 203.0.113.10/32 dev lo
ip -n "$inet" address add 203.0.113.1/32 dev lo
ip -n "$lan" route add default via 198.51.100.1
ip -n "$router" route add default via 192.0.2.2
ip -n "$inet" route add 198.51.100.0/24 via 192.0.2.1

# --- the VPS: galaxy vps ssh, install.sh's steps into the work folder --------------------------------------
"$binary" vps ssh --name bench --endpoint 203.0.113.1:2222 --user "$user" --out "$work/vps" >/dev/null
useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$user"
usermod -p '*' "$user"
install -d -m 0755 "$work/etc"
install -m 0600 "$work/vps/server/ssh_host_ed25519_key" "$work/etc/"
install -m 0644 "$work/vps/server/authorized_keys" "$work/etc/"
sed -e "s#/etc/galaxy-ssh/bench#$work/etc#" -e "s#/run/galaxy-ssh-bench.pid#$work/etc/sshd.pid#" "$work/vps/server/sshd_config" >"$work/etc/sshd_config"
sed -i 's/^LogLevel VERBOSE/LogLevel ERROR/' "$work/etc/sshd_config"
mkdir -p /run/sshd
in_ns "$inet" /usr/sbin/sshd -D -f "$work/etc/sshd_config" -o StrictModes=no 2>"$work/sshd.log" &
# The web server: SIZE bytes of zeros per request (HTTP/1.0, no keep-alive).
cat >"$work/http.sh" <<SH
#!/bin/sh
read -r line
printf 'HTTP/1.0 200 OK\r\nContent-Length: $size\r\n\r\n'
exec head -c $size /dev/zero
SH
chmod 755 "$work/http.sh"
in_ns "$inet" socat TCP-LISTEN:80,bind=203.0.113.10,fork,reuseaddr EXEC:"$work/http.sh" &
sleep 1

run_agent() { # CONNECTIONS
  local egress
  egress=$(sed -e "s#/etc/galaxy/ssh#$work/vps/router#" -e "s/^connections = .*/connections = $1/" "$work/vps/router/bench.egress.toml")
  cat >"$work/galaxy.toml" <<TOML
[router]
lan = ["lan0"]
wan = "wan0"
runtime-dir = "$work/run"

[control]
socket = "$work/control/galaxy.sock"

[dns]
resolv-conf = ""

$egress
TOML
  ip netns exec "$router" "$binary" agent --config "$work/galaxy.toml" 2>"$work/agent-$1.log" &
  agent_pid=$!
  for _ in $(seq 300); do grep -q "egress bench is UP" "$work/agent-$1.log" && break; sleep 0.1; done
  grep -q "egress bench is UP" "$work/agent-$1.log" || { echo "ssh.sh: the egress did not come up" >&2; cat "$work/agent-$1.log" >&2; exit 1; }
  # Let every connection of the pool come up (they start together; a second is plenty).
  sleep 2
}
stop_agent() {
  kill "$agent_pid" 2>/dev/null || true
  wait "$agent_pid" 2>/dev/null || true
  agent_pid=
}

download8() { # → aggregate Mbit/s of eight parallel downloads
  local start end i
  start=$(date +%s.%N)
  for i in $(seq 8); do
    in_ns "$lan" timeout 120 curl -s -o /dev/null "http://203.0.113.10/$i" &
  done
  wait
  end=$(date +%s.%N)
  python3 -c "print(f'{8 * $size * 8 / ($end - $start) / 1e6:.0f}')"
}

declare -A results
for connections in 1 4; do
  log "agent with connections = $connections"
  run_agent "$connections"
  for round in $(seq "$rounds"); do
    rate=$(download8)
    log "  round $round: $rate Mbit/s"
    results[$connections]+="$rate "
  done
  stop_agent
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
one=$(echo "${results[1]}" | median)
four=$(echo "${results[4]}" | median)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
section=$(mktemp)
cat >"$section" <<MD
## SSH egress: one connection vs a pool of four (bench/ssh.sh)

$(machine_line). Load average before/after: $load_before / $load_after (other builds may have been running).
The published agent in the router lab, an SSH egress to Debian's sshd (configured by \`galaxy vps ssh\`) over
veth; eight parallel HTTP downloads of $size bytes each from the LAN; aggregate rate, median of $rounds rounds.

| SSH connections | aggregate (Mbit/s) | rounds |
|---|---|---|
| 1 | $one | ${results[1]}|
| 4 | $four | ${results[4]}|

Every byte is encrypted by ssh on the router and decrypted by sshd on the same machine, so these figures
are CPU-bound (one ssh process is one core); on a real link the pool's gain is that one stalled or slow
SSH connection carries only its share of the flows.
MD
write_section ssh "$section"
rm -f "$section"
log "wrote the ssh section of $PERFORMANCE_MD"
