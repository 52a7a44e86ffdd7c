#!/usr/bin/env bash
# Binary size and start-up time of the published NativeAOT binary (`galaxy --version`, the whole
# process: exec, runtime start, argument parsing, output, exit). Bounded: RUNS runs, then it stops.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
source bench/_lib.sh

binary=${GALAXY_BINARY:-artifacts/galaxy}
runs=${RUNS:-200}
[[ -x $binary ]] || { echo "startup.sh: $binary missing: run ./build.sh publish" >&2; exit 1; }

size=$(stat -c %s "$binary")
"$binary" --version >/dev/null # warm the page cache: we measure start-up, not the disk

samples=$(mktemp)
for ((i = 0; i < runs; i++)); do
  start=${EPOCHREALTIME/./}
  "$binary" --version >/dev/null
  end=${EPOCHREALTIME/./}
  echo $((end - start)) >>"$samples"
done
read -r median p95 mean < <(sort -n "$samples" | awk '{ v[NR] = $1; sum += $1 } END {
  printf "%.2f %.2f %.2f\n", v[int((NR + 1) / 2)] / 1000, v[int(NR * 0.95)] / 1000, sum / NR / 1000 }')
rm -f "$samples"

section=$(mktemp)
cat >"$section" <<MD
## Binary size and start-up

| what | figure |
|---|---|
| \`artifacts/galaxy\` (NativeAOT, linux-x64, stripped) | $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }') MiB) |
| start-up, \`galaxy --version\`, median of $runs runs | $median ms |
| start-up, 95th percentile | $p95 ms |
| start-up, mean | $mean ms |

Method: \`bench/startup.sh\` (run by \`./build.sh bench\`) times $runs sequential runs of
\`artifacts/galaxy --version\` with bash's \`\$EPOCHREALTIME\` (no extra process) around each, after one warm-up run; the figure is
the whole process, from exec to exit, as a service manager sees it. Size is \`stat -c %s\`.
Machine: $(machine_line).
MD
write_section startup "$section"
rm -f "$section"
echo "startup: ${size} bytes, median ${median} ms, p95 ${p95} ms over $runs runs"
