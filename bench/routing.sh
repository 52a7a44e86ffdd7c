#!/usr/bin/env bash
# Cost of one routing decision (RouteTable.Decide): RULES destination-CIDR rules (IPv4 and IPv6) behind
# 20 domain rules and in front of 5 GeoIP country rules read from a MaxMind DB (generated in memory),
# ns and bytes allocated per decision for each kind of flow. Pure code: no root, no namespace.
# bench/RoutingBench (dotnet run -c Release, tiered compilation off) measures ITERATIONS decisions per flow kind.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
source bench/_lib.sh

rules=${RULES:-10000}
iterations=${ITERATIONS:-1000000}
command -v dotnet >/dev/null || { echo "routing.sh: dotnet missing: run ./build.sh setup" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build bench/RoutingBench -c Release -nologo -v quiet >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet bench/RoutingBench/bin/Release/net10.0/RoutingBench.dll "$rules" "$iterations" >"$work/table.md"

{
  echo "## Routing decision"
  echo
  echo "\`bench/routing.sh\` (RULES=$rules, ITERATIONS=$iterations per flow kind): one \`RouteTable.Decide\` call, first match"
  echo "wins; destination CIDRs in a sorted-range index per family, so the cost does not grow with the rule count."
  echo "The GeoIP rows include the MaxMind.Db lookup, which decodes the record into dictionaries (the allocations)."
  echo "JIT with tiered compilation off, one thread."
  echo
  cat "$work/table.md"
  echo
  echo "Machine: $(machine_line)."
} >"$work/section.md"
write_section routing "$work/section.md"
cat "$work/section.md"
