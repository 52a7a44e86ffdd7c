#!/usr/bin/env bash
# Time to commit an nf_tables batch with Galaxy.Netlink beside `nft -f` doing exactly the same, in a
# throw-away network namespace:
#   (a) rules: add table inet bench + a prerouting base chain + RULES rules
#       (iifname "lan0" ip daddr 203.0.113.N tcp dport P counter accept);
#   (b) set:   add table inet bench + an interval set of PREFIXES IPv4 prefixes (10.X.Y.0/25, none adjacent).
# Galaxy side: bench/NetlinkBench (dotnet run -c Release), timed inside the process, so process start-up is
# excluded. nft side: the batch sendmsg() timed by strace -T (nfnetlink applies the batch inside that call,
# which is when nft knows it committed) and the whole `nft -f` process. WARMUP unmeasured then REPS measured
# repetitions of each, the two sides alternating, the table destroyed in between; medians reported. Both results are compared with
# `nft list table` and the script fails if they differ. Bounded, and the namespace is removed on exit.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
source bench/_lib.sh

reps=${REPS:-7}
warmup=${WARMUP:-2}
rules=${RULES:-1000}
prefixes=${PREFIXES:-50000}
settle_ms=${SETTLE_MS:-500}
for tool in ip nft dotnet; do command -v "$tool" >/dev/null || { echo "netlink.sh: $tool missing: run ./build.sh setup" >&2; exit 1; }; done
command -v strace >/dev/null || { echo "netlink.sh: strace missing (not in build.sh's package list): apt-get install strace" >&2; exit 1; }

ns=glxbench-nl-$$
work=$(mktemp -d)
cleanup() {
  [[ -z ${GALAXY_PID:-} ]] || kill "$GALAXY_PID" 2>/dev/null || true
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns delete "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the nft files: the same objects the NetlinkBench workloads build ----
{
  printf 'table inet bench {\n  chain prerouting {\n    type filter hook prerouting priority -150; policy accept;\n'
  for ((i = 0; i < rules; i++)); do
    printf '    iifname "lan0" ip daddr 203.0.113.%d tcp dport %d counter accept\n' $((i % 256)) $((10000 + i))
  done
  printf '  }\n}\n'
} >"$work/rules.nft"
{
  printf 'table inet bench {\n  set s {\n    type ipv4_addr\n    flags interval\n    elements = {\n'
  awk -v n="$prefixes" 'BEGIN { for (i = 0; i < n; i++) printf "      10.%d.%d.0/25%s\n", int(i / 256), i % 256, (i < n - 1 ? "," : "") }'
  printf '    }\n  }\n}\n'
} >"$work/set.nft"
printf 'table inet bench {\n}\n' >"$work/empty.nft"

# One nft repetition, run inside the namespace (so `ip netns exec` itself is not timed): delete the table
# (not measured), settle as the Galaxy side does, then print microseconds: MODE wall = the whole
# `nft -f FILE` process; MODE sendmsg = its batch sendmsg() only, from strace -T.
cat >"$work/nft-once.sh" <<'ONCE'
set -euo pipefail
file=$1 mode=$2 trace=$3 settle_ms=$4
nft delete table inet bench 2>/dev/null || true
sleep "$(awk -v ms="$settle_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
if [[ $mode == wall ]]; then
  start=${EPOCHREALTIME/./}
  nft -f "$file"
  end=${EPOCHREALTIME/./}
  echo $((end - start))
else
  strace -qq -T -e trace=sendmsg -e raw=all -o "$trace" nft -f "$file"
  # nft sends its batch with sendmsg (its cache dumps use sendto): the sum of the sendmsg durations.
  awk -F'<' '/^sendmsg/ { sub(/>.*/, "", $NF); total += $NF; n++ } END { if (n == 0) exit 1; printf "%d\n", total * 1e6 }' "$trace"
fi
ONCE

# spread FILE [COLUMN]: "MEDIAN (MIN–MAX)" in ms of microsecond samples.
spread() { cut -d' ' -f"${2:-1}" "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f (%.1f–%.1f)\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; printf "%.1f\n", v[int((NR + 1) / 2)] / 1000 }'; }
listing() { ip netns exec "$ns" nft list table inet bench; }
nft_once() { ip netns exec "$ns" bash "$work/nft-once.sh" "$1" "$2" "$work/trace.txt" "$settle_ms"; }

# Galaxy: bench/NetlinkBench stays up as a coprocess; each line "WORKLOAD COUNT" does one repetition and
# answers "BUILD_US ENCODE_US COMMIT_US".
echo "netlink.sh: building bench/NetlinkBench" >&2
dotnet build -c Release bench/NetlinkBench -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
coproc GALAXY { exec dotnet run -c Release --no-build --project bench/NetlinkBench -- --netns "/run/netns/$ns" --settle-ms "$settle_ms"; }
galaxy_once() {
  local answer
  echo "$1 $2" >&"${GALAXY[1]}"
  IFS= read -r -t 120 answer <&"${GALAXY[0]}" || { echo "netlink.sh: NetlinkBench gave no answer for '$1 $2'" >&2; exit 1; }
  [[ $answer =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]] || { echo "netlink.sh: NetlinkBench answered '$answer'" >&2; exit 1; }
  echo "$answer"
}

# The repetitions of both sides alternate, so a change in the machine's load hits both alike.
declare -A result
for workload in rules set; do
  count=$([[ $workload == rules ]] && echo "$rules" || echo "$prefixes")
  echo "netlink.sh: $workload ($count): $warmup + $reps repetitions each, Galaxy.Netlink and nft -f alternating" >&2
  : >"$work/galaxy-$workload.txt"; : >"$work/wall-$workload.txt"; : >"$work/sendmsg-$workload.txt"
  for ((rep = -warmup; rep < reps; rep++)); do
    galaxy=$(galaxy_once "$workload" "$count")
    ((rep < reps - 1)) || listing >"$work/galaxy-$workload.list"
    wall=$(nft_once "$work/$workload.nft" wall)
    ((rep < reps - 1)) || listing >"$work/nft-$workload.list"
    sendmsg=$(nft_once "$work/$workload.nft" sendmsg)
    if ((rep >= 0)); then
      echo "$galaxy" >>"$work/galaxy-$workload.txt"
      echo "$wall" >>"$work/wall-$workload.txt"
      echo "$sendmsg" >>"$work/sendmsg-$workload.txt"
    fi
  done
  result[$workload.build]=$(spread "$work/galaxy-$workload.txt" 1)
  result[$workload.encode]=$(spread "$work/galaxy-$workload.txt" 2)
  result[$workload.commit]=$(spread "$work/galaxy-$workload.txt" 3)
  result[$workload.wall]=$(spread "$work/wall-$workload.txt")
  result[$workload.wallmedian]=$(median <"$work/wall-$workload.txt")
  result[$workload.sendmsg]=$(spread "$work/sendmsg-$workload.txt")
  if ! cmp -s "$work/galaxy-$workload.list" "$work/nft-$workload.list"; then
    echo "netlink.sh: Galaxy.Netlink and nft -f made different $workload tables:" >&2
    diff "$work/galaxy-$workload.list" "$work/nft-$workload.list" | head -20 >&2
    exit 1
  fi
done
eval "exec ${GALAXY[1]}>&-" # end of input: NetlinkBench exits
wait "$GALAXY_PID" || true
for ((rep = -warmup; rep < reps; rep++)); do
  wall=$(nft_once "$work/empty.nft" wall)
  ((rep < 0)) || echo "$wall"
done >"$work/wall-empty.txt"
result[empty.wall]=$(median <"$work/wall-empty.txt")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

loaded=""
if awk -v l="${load_before%% *}" -v c="$(nproc)" 'BEGIN { exit !(l >= c / 2) }'; then
  loaded="
The machine was shared with other builds while measuring: these are figures from a loaded $(nproc)-core box,
and they move by tens of percent from run to run."
fi
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", a - b }'; }
section=$(mktemp)
cat >"$section" <<MD
## nf_tables commit: Galaxy.Netlink beside nft -f

| ms: median of $reps (min–max) | table + base chain + $rules rules | table + interval set of $prefixes IPv4 prefixes |
|---|---|---|
| **Galaxy.Netlink: commit** (encode, one send, the kernel's ACK) | **${result[rules.commit]}** | **${result[set.commit]}** |
| Galaxy.Netlink: of which encoding (measured apart) | ${result[rules.encode]} | ${result[set.encode]} |
| Galaxy.Netlink: building the \`NfBatch\` before (rule builder / interval split) | ${result[rules.build]} | ${result[set.build]} |
| **nft -f: the batch sendmsg()** (the kernel applying it) | **${result[rules.sendmsg]}** | **${result[set.sendmsg]}** |
| nft -f: whole process | ${result[rules.wall]} | ${result[set.wall]} |
| nft -f: whole process minus its start-up, median (\`nft -f\` of an empty table: ${result[empty.wall]}) | $(minus "${result[rules.wallmedian]}" "${result[empty.wall]}") | $(minus "${result[set.wallmedian]}" "${result[empty.wall]}") |

Method: \`bench/netlink.sh\` (run by \`./build.sh bench\`) creates a throw-away network namespace and, in it,
commits each batch $warmup times unmeasured and $reps times measured on each side, the two sides alternating
repetition by repetition (so a change in load hits both); before each repetition the table is deleted and the
kernel given ${settle_ms} ms to release it (not measured). Figures: the median, smallest and largest. The batches are the same
on both sides: \`add table inet bench\`, a prerouting filter base chain at priority -150 and $rules rules
\`iifname "lan0" ip daddr 203.0.113.N tcp dport P counter accept\`; and \`add table inet bench\` with an
interval set of $prefixes prefixes \`10.X.Y.0/25\` (none adjacent). After each side, \`nft list table inet
bench\` is saved and the two listings must be identical, or the benchmark fails. Galaxy.Netlink is driven by
\`bench/NetlinkBench\` (\`dotnet run -c Release\`, JIT with tiered compilation off so the code is fully
optimised from the first call, as in the NativeAOT agent), timed with \`Stopwatch\` inside the process around
\`NfTablesClient.Commit\` (encoding into the pooled writer, the single send() — nfnetlink applies the whole
batch inside that call — and reading the ACK of the last message), so process start-up is excluded; encoding
alone (into a second writer, just before) and building the \`NfBatch\` are shown apart; a full GC runs before
each repetition, and the process stays up between them. nft 1.0.6 cannot be timed inside its process, so its
commit is the duration of its batch \`sendmsg()\` measured by \`strace -T\` (nft sets no ACK flag; once that
call returns the batch is applied and nft only polls for errors), and beside it the whole \`nft -f\` process
(parse, evaluate, cache dump, encode, commit), raw and minus the median \`nft -f\` of a file holding only an
empty table (start-up, cache, a one-message commit).
Machine: $(machine_line); load average $load_before before and $load_after after.$loaded
MD
write_section netlink "$section"
rm -f "$section"
echo "netlink: rules commit galaxy ${result[rules.commit]} ms, nft sendmsg ${result[rules.sendmsg]} ms, nft -f ${result[rules.wall]} ms;" \
  "set commit galaxy ${result[set.commit]} ms, nft sendmsg ${result[set.sendmsg]} ms, nft -f ${result[set.wall]} ms"
