#!/usr/bin/env bash
# Galaxy's main job, shown end to end on this machine (run by `./build.sh demo`, as root):
#
#   lan (a VM) ── lan0 [router: galaxy agent] wan0 ── inet (the uplink, an OpenVPN "VPS",
#                                                         an HTTP server and a DNS server)
#
# 1. `galaxy vps openvpn` makes the VPS's server configuration and the user's .ovpn;
# 2. the published agent runs in the router with that .ovpn as its only egress;
# 3. a LAN request goes through the tunnel: the web server sees the tunnel's address, not the WAN's;
#    a DNS query to a foreign resolver is answered by Galaxy, through the tunnel;
# 4. the VPS is stopped: the LAN is blocked and a capture on the WAN sees zero LAN packets;
# 5. the VPS comes back: traffic recovers, nothing restarted;
# 6. everything the demo made is removed (also on failure or Ctrl-C).
#
# Every address is a documentation address (RFC 5737) inside namespaces this script creates.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
readonly ROOT
readonly GALAXY=${GALAXY_BINARY:-$ROOT/artifacts/galaxy}
readonly P="gxdemo$$-"
WORK=$(mktemp -d /tmp/galaxy-demo.XXXXXX)
readonly WORK
readonly LAN=198.51.100.2 ROUTER_LAN=198.51.100.1 ROUTER_WAN=192.0.2.1 UPLINK=192.0.2.2
readonly WEB=203.0.113.10 DNS=203.0.113.53 VPS=203.0.113.1

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
say() { printf '    %s\n' "$*"; }
in_ns() { local ns=$1; shift; ip netns exec "$P$ns" "$@"; }
# Background processes are started with `ip netns exec` directly (it execs), so $! is the process itself.

PIDS=()
cleanup() {
  local status=$?
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for ns in lan router inet; do ip netns del "$P$ns" 2>/dev/null; done
  rm -rf "$WORK"
  if ((status == 0)); then step "done: namespaces, processes and files removed"; else step "demo FAILED (exit $status); everything it made is removed"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x $GALAXY ]] || { echo "demo: $GALAXY is missing: run ./build.sh publish" >&2; exit 1; }
((EUID == 0)) || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { say "timed out after ${limit}s waiting for $what"; return 1; }
    sleep 0.2
  done
}

step "building the lab: lan — router — inet (network namespaces ${P}*)"
for ns in lan router inet; do ip netns add "$P$ns"; ip -n "$P$ns" link set lo up; done
ip link add lan0 netns "${P}router" type veth peer name eth0 netns "${P}lan"
ip link add wan0 netns "${P}router" type veth peer name eth0 netns "${P}inet"
ip -n "${P}lan" addr add $LAN/24 dev eth0; ip -n "${P}lan" link set eth0 up; ip -n "${P}lan" route add default via $ROUTER_LAN
ip -n "${P}router" addr add $ROUTER_LAN/24 dev lan0; ip -n "${P}router" link set lan0 up
ip -n "${P}router" addr add $ROUTER_WAN/24 dev wan0; ip -n "${P}router" link set wan0 up; ip -n "${P}router" route add default via $UPLINK
ip -n "${P}inet" addr add $UPLINK/24 dev eth0; ip -n "${P}inet" link set eth0 up
for a in $WEB $DNS $VPS; do ip -n "${P}inet" addr add "$a"/32 dev lo; done
in_ns inet sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
say "lan $LAN → router lan0 $ROUTER_LAN | router wan0 $ROUTER_WAN → inet $UPLINK; web $WEB, dns $DNS, vps $VPS"

cat > "$WORK/http.sh" <<'SH'
#!/bin/sh
read -r line
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from the internet; you came from %s\n' "$SOCAT_PEERADDR"
SH
chmod +x "$WORK/http.sh"
ip netns exec "${P}inet" socat TCP-LISTEN:80,bind=$WEB,fork,reuseaddr EXEC:"$WORK/http.sh" & PIDS+=($!)

ip netns exec "${P}inet" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address $DNS \
  --port 53 --pid-file= --user=root --address=/example.test/192.0.2.80 & PIDS+=($!)

step "galaxy vps openvpn: the VPS's server and the user's profile (it pushes the resolver $DNS)"
"$GALAXY" vps openvpn --name demo --endpoint $VPS:1194 --dns $DNS --out "$WORK/vps" | sed 's/^/    /'
# --local: the lab's "internet" namespace has several addresses; the VPS answers from its own.
start_vps() {
  ip netns exec "${P}inet" openvpn --cd "$WORK/vps" --config server.conf --local $VPS --verb 1 --log "$WORK/vps.log" & VPS_PID=$!
  PIDS+=("$VPS_PID")
}
start_vps
"$GALAXY" ovpn check "$WORK/vps/demo.ovpn" | sed 's/^/    /'

step "galaxy agent in the router, with demo.ovpn as its only egress"
cat > "$WORK/galaxy.toml" <<TOML
[router]
lan = ["lan0"]
wan = "wan0"
runtime-dir = "$WORK/run"

[control]
socket = "$WORK/control/galaxy.sock"

[dns]
resolv-conf = ""

[[egress]]
name = "vps"
type = "openvpn"
profile = "$WORK/vps/demo.ovpn"
TOML
ip netns exec "${P}router" "$GALAXY" agent --config "$WORK/galaxy.toml" >"$WORK/agent.log" 2>&1 & PIDS+=($!)
wait_for 30 "the agent to be ready" grep -q "ready:" "$WORK/agent.log" || { cat "$WORK/agent.log"; exit 1; }
wait_for 30 "the tunnel to come up" grep -q "egress vps is UP" "$WORK/agent.log" || { cat "$WORK/agent.log"; exit 1; }
grep -E "egress|tunnel" "$WORK/agent.log" | sed 's/^/    agent: /'

curl_lan() { in_ns lan curl -s -m "${1:-3}" "http://$WEB/"; }

step "a LAN request goes through the tunnel"
say "lan\$ curl http://$WEB/"
reply=$(curl_lan) || { say "the request failed"; cat "$WORK/agent.log"; exit 1; }
say "$reply"
case $reply in *"$ROUTER_WAN"*) say "LEAK: the server saw the router's WAN address"; exit 1 ;; esac
say "the server saw the tunnel's address, not the WAN's ($ROUTER_WAN)"
say "lan\$ dig @$DNS example.test    (a resolver on the internet, not the router)"
answer=$(in_ns lan dig +time=2 +tries=1 +short @$DNS example.test A) || true
say "$answer   (answered by Galaxy, forwarded through the tunnel to the resolver the VPS pushed)"
[[ $answer == 192.0.2.80 ]] || { say "DNS through the tunnel failed"; cat "$WORK/agent.log"; exit 1; }

step "the VPS goes down: the LAN is blocked, nothing reaches the WAN"
kill "$VPS_PID"; wait "$VPS_PID" 2>/dev/null || true
wait_for 60 "the agent to see the tunnel drop" grep -q "egress vps is DOWN" "$WORK/agent.log" || { cat "$WORK/agent.log"; exit 1; }
grep "egress vps is DOWN" "$WORK/agent.log" | tail -1 | sed 's/^/    agent: /'
ip netns exec "${P}router" tcpdump -i wan0 -Q out -n -U -w "$WORK/wan.pcap" "not arp and not (udp and dst host $VPS and dst port 1194)" 2>/dev/null & TCPDUMP=$!; PIDS+=("$TCPDUMP")
sleep 1
if reply=$(curl_lan 2); then say "LEAK: the request went through without the tunnel: $reply"; exit 1; fi
say "lan\$ curl http://$WEB/  → blocked"
in_ns lan ping -c 2 -W 1 $WEB >/dev/null 2>&1 && { say "LEAK: ping went through"; exit 1; }
status=$(in_ns lan dig +time=2 +tries=1 @$DNS blocked.example.test A | grep -o 'status: [A-Z]*' || echo "no answer")
say "lan\$ dig @$DNS blocked.example.test  → $status (Galaxy answers; nothing goes out)"
sleep 1; kill -INT $TCPDUMP; wait $TCPDUMP 2>/dev/null || true
leaked=$(tcpdump -n -r "$WORK/wan.pcap" 2>/dev/null | wc -l)
say "packets the router sent on the WAN, other than OpenVPN's own to $VPS:1194: $leaked"
((leaked == 0)) || { tcpdump -n -r "$WORK/wan.pcap"; exit 1; }

step "the VPS comes back: traffic recovers, nothing restarted"
start_vps
wait_for 90 "the tunnel to come back" sh -c "grep -c 'egress vps is UP' '$WORK/agent.log' | grep -q '^2'" || { cat "$WORK/agent.log"; exit 1; }
reply=$(curl_lan) || { say "the request failed after recovery"; cat "$WORK/agent.log"; exit 1; }
say "lan\$ curl http://$WEB/"
say "$reply"
