#!/usr/bin/env bash
# Shared helpers for the benchmarks: each benchmark owns one marked section of docs/PERFORMANCE.md.

readonly PERFORMANCE_MD=${PERFORMANCE_MD:-$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../docs/PERFORMANCE.md}

# write_section NAME FILE: replaces the section between <!-- bench:NAME:begin --> and
# <!-- bench:NAME:end --> in docs/PERFORMANCE.md with FILE's content (appending it when absent).
write_section() {
  local content=$2 begin="<!-- bench:$1:begin -->" end="<!-- bench:$1:end -->" tmp
  tmp=$(mktemp)
  if grep -qF "$begin" "$PERFORMANCE_MD"; then
    awk -v begin="$begin" -v end="$end" -v file="$content" '
      $0 == begin { print; while ((getline line < file) > 0) print line; skipping = 1; next }
      $0 == end { skipping = 0 }
      !skipping { print }' "$PERFORMANCE_MD" >"$tmp"
  else
    { cat "$PERFORMANCE_MD"; echo; echo "$begin"; cat "$content"; echo "$end"; } >"$tmp"
  fi
  mv "$tmp" "$PERFORMANCE_MD"
}

# machine_line: one line naming the machine the figures came from.
machine_line() {
  printf '%s, %s cores, kernel %s, measured %s' \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(nproc)" "$(uname -r)" "$(date -u +%Y-%m-%d)"
}

# three_hop_lab LEFT MIDDLE RIGHT: three namespaces (loopback up) on two veth pairs, LEFT's eth0 to MIDDLE's lan0
# and MIDDLE's wan0 to RIGHT's eth0, all up; the caller gives the addresses.
three_hop_lab() {
  local ns
  for ns in "$1" "$2" "$3"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
  ip -n "$1" link add eth0 type veth peer name lan0 netns "$2"
  ip -n "$2" link add wan0 type veth peer name eth0 netns "$3"
  ip -n "$1" link set eth0 up; ip -n "$2" link set lan0 up; ip -n "$2" link set wan0 up; ip -n "$3" link set eth0 up
}
