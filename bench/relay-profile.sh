#!/usr/bin/env bash
# Where the relay's time goes, on bench/relay.sh's topology:
#   client (198.51.100.2) — lan0 [router 198.51.100.1 | 203.0.113.1] wan0 — server (203.0.113.10)
# with `galaxy relay --egress direct:wan0` behind a TPROXY rule. It measures, one run each:
#   - the share of CPU samples per command (perf record -a, 3 s in the middle of a 6 s load) under one
#     iperf3 TCP stream and under wrk's short HTTP connections, and Galaxy's own user-space share;
#   - system calls per relayed connection (strace -f -c on the relay for 4 s of wrk);
#   - relay CPU µs per connection (utime+stime ÷ wrk's requests), ROUNDS runs of 5 s;
#     with COMPARE_BINARY=PATH the same alternating with that build, for a before/after figure.
#   - one TCP stream each way (iperf3, 5 s), ROUNDS rounds alternating: kernel forwarding, Galaxy, and the floor of
#     any splice relay (bench/splice_floor.c: a thread per direction, blocking splice, nothing else).
# Every load is bounded (timeout, fixed durations); the namespaces (unique prefix) and their processes go at exit.
# Knobs: GALAXY_BINARY (default artifacts/galaxy), COMPARE_BINARY, ROUNDS (default 3).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
source bench/_lib.sh
source bench/_relay_lab.sh

binary=${GALAXY_BINARY:-artifacts/galaxy}
compare=${COMPARE_BINARY:-}
rounds=${ROUNDS:-3}
[[ -x $binary ]] || { echo "relay-profile.sh: $binary missing: run ./build.sh publish" >&2; exit 1; }
for tool in ip nft iperf3 wrk nginx perf strace jq gcc; do
  command -v "$tool" >/dev/null || { echo "relay-profile.sh: $tool missing: run ./build.sh setup" >&2; exit 1; }
done

readonly SERVER=203.0.113.10 WEB_PORT=8080 RELAY_PORT=15001
prefix=glxrp-$$
client=$prefix-client router=$prefix-router server=$prefix-server
work=$(mktemp -d /tmp/glxrp.XXXXXX)
relay_pid=
floor=$work/splice_floor # bench/splice_floor.c, built in part 5
trap relay_lab_cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '[relay-profile.sh %s] %s\n' "$(date -u +%T)" "$*" >&2; }

# --- topology (as bench/relay.sh) -----------------------------------------------------------------------
relay_lab_topology
tproxy_on() {
  in_ns "$router" sysctl -qw net.ipv4.ip_forward=0
  in_ns "$router" nft -f - <<NFT
table inet glxprofile {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    meta l4proto tcp socket transparent 1 meta mark set 0x1 accept
    iifname "lan0" meta nfproto ipv4 meta l4proto tcp tproxy ip to 127.0.0.1:$RELAY_PORT meta mark set 0x1 accept
    iifname "lan0" meta l4proto tcp drop
  }
}
NFT
}
# Kernel forwarding: no ruleset, forwarding on.
tproxy_off() {
  in_ns "$router" nft delete table inet glxprofile
  in_ns "$router" sysctl -qw net.ipv4.ip_forward=1
}
tproxy_on

relay_lab_servers

start_relay() { # BINARY (galaxy, or the splice floor)
  if [[ $1 == "$floor" ]]; then
    ip netns exec "$router" "$floor" $RELAY_PORT 0x200 wan0 2>>"$work/floor.log" &
  else
    ip netns exec "$router" "$1" relay --tproxy-port $RELAY_PORT --egress direct:wan0 --mark 0x200 --max-connections 8500 2>>"$work/galaxy.log" &
  fi
  relay_pid=$!
  for _ in $(seq 100); do
    in_ns "$router" ss -Hltn "sport = :$RELAY_PORT" | grep -q . && return 0
    sleep 0.05
  done
  echo "relay-profile.sh: the relay did not listen" >&2; exit 1
}
stop_relay() {
  kill "$relay_pid" 2>/dev/null || true
  wait "$relay_pid" 2>/dev/null || true
  relay_pid=
  in_ns "$router" conntrack -F >/dev/null 2>&1 || true
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$relay_pid/stat"; }
wrk_load() { # SECONDS
  in_ns "$client" timeout $(($1 + 10)) wrk -t2 -c50 -d"$1"s -H 'Connection: close' "http://$SERVER:$WEB_PORT/tiny.html"
}
# perf_during DATA OUTPUT COMMAND...: runs the 6 s load COMMAND (its output to OUTPUT) and records all CPUs for
# 3 s in its middle into DATA
perf_during() {
  local data=$1 output=$2 load
  shift 2
  "$@" >"$output" &
  load=$!
  sleep 1.5
  timeout 20 perf record -a -g -o "$data" -- sleep 3 >/dev/null 2>&1
  wait $load
}
# perf_shares FILE: "command share%" lines, by share of all samples
perf_shares() {
  perf report -i "$1" --no-children --sort comm -g none --stdio 2>/dev/null \
    | awk '/%/ && !/^#/ { share = $1; $1 = ""; sub(/^ +/, ""); print $0, share }'
}

# --- 1. one TCP stream: who uses the CPU --------------------------------------------------------------
log "perf: one TCP stream"
start_relay "$binary"
perf_during "$work/tcp.data" "$work/iperf.json" in_ns "$client" timeout 20 iperf3 -c $SERVER -t 6 -J
tcp_gbits=$(jq '.end.sum_received.bits_per_second / 1e9 * 100 | round / 100' "$work/iperf.json")
perf_shares "$work/tcp.data" >"$work/tcp.shares"
stop_relay

# --- 2. short connections: who uses the CPU, and Galaxy's own user-space share -------------------------
log "perf: short HTTP connections"
start_relay "$binary"
perf_during "$work/http.data" "$work/wrk.txt" wrk_load 6
http_rate=$(awk '/Requests\/sec/ { printf "%d", $2 }' "$work/wrk.txt")
perf_shares "$work/http.data" >"$work/http.shares"
galaxy_user=$(perf report -i "$work/http.data" --no-children --sort dso -g none --stdio 2>/dev/null \
  | awk -v dso="$(basename "$binary")" '$2 == dso { print $1; exit }')
stop_relay

# --- 3. system calls per connection --------------------------------------------------------------------
log "strace: system calls per connection"
start_relay "$binary"
wrk_load 6 >"$work/wrk-strace.txt" &
load=$!
sleep 1
timeout 4 strace -f -c -p "$relay_pid" -o "$work/strace.txt" >/dev/null 2>&1 || true
wait $load
stop_relay
# The connections strace saw: its successful accept4 calls (calls minus errors).
traced=$(awk '$NF == "accept4" { print $4 - ($5 ~ /^[0-9]+$/ ? $5 : 0) }' "$work/strace.txt")
[[ ${traced:-0} -gt 0 ]] || { echo "relay-profile.sh: strace saw no accept4" >&2; exit 1; }

# --- 4. relay CPU per connection (optionally alternating with another build) ---------------------------
per_connection() { # BINARY → µs of relay CPU per connection over one 5 s wrk run
  local before after requests
  relay_lab_forget_time_wait
  start_relay "$1"
  before=$(cpu_ticks)
  requests=$(wrk_load 5 | awk '/requests in/ { print $1 }')
  after=$(cpu_ticks)
  stop_relay
  echo $(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests ))
}
declare -a this_build=() other_build=()
for ((round = 1; round <= rounds; round++)); do
  log "CPU per connection, round $round"
  if [[ -n $compare ]]; then other_build+=("$(per_connection "$compare")"); fi
  this_build+=("$(per_connection "$binary")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# --- 5. one TCP stream: kernel forwarding, Galaxy, and the floor of any splice relay, alternating ------------------
gcc -O2 -pthread -o "$floor" bench/splice_floor.c
stream() { # [-R]: Gbit/s received over 5 s, or "fail"
  in_ns "$client" timeout 20 iperf3 -c $SERVER -t 5 "$@" -J | jq -er '.end.sum_received.bits_per_second / 1e9 * 100 | round / 100' 2>/dev/null ||
    echo fail
}
declare -a kernel_up=() kernel_down=() galaxy_up=() galaxy_down=() floor_up=() floor_down=()
for ((round = 1; round <= rounds; round++)); do
  log "one TCP stream, round $round"
  tproxy_off
  kernel_up+=("$(stream)"); kernel_down+=("$(stream -R)")
  tproxy_on
  start_relay "$binary"; galaxy_up+=("$(stream)"); galaxy_down+=("$(stream -R)"); stop_relay
  start_relay "$floor"; floor_up+=("$(stream)"); floor_down+=("$(stream -R)"); stop_relay
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
fmedian() { printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | awk '{ a[NR] = $1 } END { print (NR ? a[int((NR + 1) / 2)] : "fail") }'; }
k_up=$(fmedian "${kernel_up[@]}") k_down=$(fmedian "${kernel_down[@]}")
g_up=$(fmedian "${galaxy_up[@]}") g_down=$(fmedian "${galaxy_down[@]}")
f_up=$(fmedian "${floor_up[@]}") f_down=$(fmedian "${floor_down[@]}")

# --- the section -----------------------------------------------------------------------------------------
section=$work/section.md
{
  echo "### Relay profile (bench/relay-profile.sh)"
  echo
  echo "One run, $(date -u +%H:%M) UTC, \`galaxy relay --egress direct:wan0\` on bench/relay.sh's topology. Shares are of"
  echo "all CPU samples on both cores (\`perf record -a -g\`, 3 s in the middle of a 6 s load)."
  echo
  echo "| load | rate while profiled | CPU shares by command |"
  echo "|---|---|---|"
  echo "| one TCP stream (iperf3) | $tcp_gbits Gbit/s | $(head -6 "$work/tcp.shares" | paste -sd ';' | sed 's/;/; /g') |"
  echo "| short HTTP connections (wrk -c50) | $http_rate conns/s | $(head -6 "$work/http.shares" | paste -sd ';' | sed 's/;/; /g') |"
  echo
  echo "Galaxy's own code (user space of \`$(basename "$binary")\`) under short connections: ${galaxy_user:-0%} of all samples;"
  echo "the rest of the relay's threads' time is kernel work (accept, connect, splice, TCP)."
  echo
  echo "System calls per relayed connection (\`strace -f -c\` on the relay, $traced connections):"
  echo
  awk -v n="$traced" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "syscall" && $NF != "total" && $4 / n >= 0.5 {
      printf "%s %.1f\n", $NF, $4 / n }' "$work/strace.txt" | sort -k2 -nr | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 } END { print "" }'
  echo
  echo "Relay CPU per connection (utime+stime ÷ wrk's requests, 5 s runs): this build $(median "${this_build[@]}") µs (runs: ${this_build[*]})."
  if [[ -n $compare ]]; then
    echo "Alternating with \`$compare\` ($("$compare" --version 2>/dev/null | head -1 || echo "another build")): $(median "${other_build[@]}") µs (runs: ${other_build[*]})."
  fi
  echo
  echo "One TCP stream (iperf3, 5 s each way), median of $rounds rounds, the three alternating within each round, Gbit/s → / ←:"
  echo
  echo "| path | → | ← | of kernel forwarding | runs → | runs ← |"
  echo "|---|---|---|---|---|---|"
  echo "| kernel forwarding | $k_up | $k_down | — | ${kernel_up[*]} | ${kernel_down[*]} |"
  echo "| splice floor (\`bench/splice_floor.c\`) | $f_up | $f_down | ×$(ratio "$f_up" "$k_up") / ×$(ratio "$f_down" "$k_down") | ${floor_up[*]} | ${floor_down[*]} |"
  echo "| Galaxy | $g_up | $g_down | ×$(ratio "$g_up" "$k_up") / ×$(ratio "$g_down" "$k_down") | ${galaxy_up[*]} | ${galaxy_down[*]} |"
  echo
  echo "The splice floor is the least a transparent splice relay can do: a thread per direction, blocking splice(2)"
  echo "through a 1 MiB pipe, the same mark and device as Galaxy's upstream, and nothing else (no epoll, no bounds)."
  echo
  echo "Versions: $("$binary" --version 2>/dev/null | head -1 || true). Machine: $(machine_line)."
} >"$section"
write_section relay-profile "$section"
cat "$section"
