#!/usr/bin/env bash
# TCP throughput of the relay beside kernel forwarding, in one run, on the same lab topology:
#   client (198.51.100.2) — lan0 [router] wan0 — server (203.0.113.10)
# Kernel forwarding: the router routes (ip_forward=1, no ruleset). Galaxy: forwarding off, an nftables
# TPROXY rule hands every TCP flow from lan0 to `galaxy relay --egress direct:wan0`, which splices it.
# iperf3, one stream, each direction, DURATION seconds per run; bounded, and everything is torn down.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
source bench/_lib.sh

binary=${GALAXY_BINARY:-artifacts/galaxy}
duration=${DURATION:-5}
[[ -x $binary ]] || { echo "relay.sh: $binary missing: run ./build.sh publish" >&2; exit 1; }
for tool in ip nft iperf3; do command -v "$tool" >/dev/null || { echo "relay.sh: $tool missing: run ./build.sh setup" >&2; exit 1; }; done

prefix=glxbench-$$
client=$prefix-client router=$prefix-router server=$prefix-server
cleanup() {
  for ns in "$client" "$router" "$server"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns delete "$ns" 2>/dev/null || true
  done
}
trap cleanup EXIT

for ns in "$client" "$router" "$server"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$client" link add eth0 type veth peer name lan0 netns "$router"
ip -n "$router" link add wan0 type veth peer name eth0 netns "$server"
ip -n "$client" link set eth0 up; ip -n "$router" link set lan0 up; ip -n "$router" link set wan0 up; ip -n "$server" link set eth0 up
ip -n "$client" address add 198.51.100.2/24 dev eth0
ip -n "$router" address add 198.51.100.1/24 dev lan0
ip -n "$router" address add 203.0.113.1/24 dev wan0
ip -n "$server" address add 203.0.113.10/24 dev eth0
ip -n "$client" route add default via 198.51.100.1
ip -n "$server" route add default via 203.0.113.1
ip netns exec "$server" iperf3 -s -D >/dev/null

# iperf3 run: prints Gbit/s received.
run() {
  local reverse=$1
  ip netns exec "$client" iperf3 -c 203.0.113.10 -t "$duration" $reverse -J |
    awk -F: '/"sum_received"/ { found = 1 } found && /"bits_per_second"/ { gsub(/[ ,]/, "", $2); printf "%.2f\n", $2 / 1e9; exit }'
}

ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
kernel_up=$(run "")
kernel_down=$(run "-R")

ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=0
ip netns exec "$router" nft -f - <<'NFT'
table inet galaxybench {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    meta l4proto tcp socket transparent 1 meta mark set 0x1 accept
    iifname "lan0" meta nfproto ipv4 meta l4proto tcp tproxy ip to 127.0.0.1:15001 meta mark set 0x1 accept
    iifname "lan0" meta l4proto tcp drop
  }
}
NFT
ip -n "$router" rule add fwmark 0x1 lookup 100 priority 100
ip -n "$router" route add local default dev lo table 100
ip netns exec "$router" "$binary" relay --tproxy-port 15001 --egress direct:wan0 --mark 0x200 2>/dev/null &
for _ in $(seq 50); do ip netns exec "$router" ss -Hltn 'sport = :15001' | grep -q . && break; sleep 0.1; done
galaxy_up=$(run "")
galaxy_down=$(run "-R")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
section=$(mktemp)
cat >"$section" <<MD
## Relay throughput beside kernel forwarding (TCP, one stream)

| path | client → server | server → client |
|---|---|---|
| kernel forwarding | $kernel_up Gbit/s | $kernel_down Gbit/s |
| \`galaxy relay --egress direct:wan0\` (TPROXY + splice) | $galaxy_up Gbit/s | $galaxy_down Gbit/s |
| Galaxy ÷ kernel | $(ratio "$galaxy_up" "$kernel_up") | $(ratio "$galaxy_down" "$kernel_down") |

Method: \`bench/relay.sh\` builds client — router — server namespaces joined by veth pairs, runs
\`iperf3 -c 203.0.113.10 -t $duration\` (and \`-R\`) once with the router forwarding in the kernel, then, in the
same run, with forwarding off and an nftables TPROXY rule handing every TCP flow from lan0 to
\`galaxy relay\`, which dials through wan0 with SO_MARK and splices both directions. Figures are iperf3's
received rate. Machine: $(machine_line).
MD
write_section relay-throughput "$section"
rm -f "$section"
echo "relay: kernel $kernel_up/$kernel_down Gbit/s, galaxy $galaxy_up/$galaxy_down Gbit/s"
