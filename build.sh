#!/usr/bin/env bash
# Galaxy's one entry point for building, testing and benchmarking.
#
#   ./build.sh demo                  Galaxy's main job: a LAN behind the agent, an OpenVPN VPS, the kill switch
#                                    at work; builds what it needs and removes everything it made
#   ./build.sh setup                 install the OS packages the tests and the demo need (only what is missing)
#   ./build.sh build                 restore and build the solution (Release)
#   ./build.sh publish [--rid RID]   NativeAOT-publish the agent: artifacts/galaxy (linux-x64, the default)
#                                    or artifacts/galaxy-RID for another runtime identifier
#   ./build.sh test                  setup when needed, build, publish, run every test project;
#                                    the last line reads "N passed, N failed"
#   ./build.sh bench                 run the benchmarks in bench/ and rewrite docs/PERFORMANCE.md
#   ./build.sh clean                 remove artifacts/ and every bin/ and obj/
#
# Every command is safe to run on a fresh Debian 12 machine as root, and again and again.
#
# A musl build for the Alpine router guest: NativeAOT needs the musl flavour of the ILCompiler package
# (runtime.linux-musl-x64.Microsoft.DotNet.ILCompiler) and a musl C toolchain. Both exist on an Alpine
# build host (`apk add bash clang build-base zlib-dev dotnet10-sdk`), where
#   ./build.sh publish --rid linux-musl-x64
# writes artifacts/galaxy-linux-musl-x64. Where that package cannot be restored (this project's CI
# machines), the command stops with that reason; the glibc build runs on Alpine with gcompat instead
# (see alpine/).
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"
readonly ROOT=$PWD
readonly ARTIFACTS=$ROOT/artifacts
readonly CONFIGURATION=${CONFIGURATION:-Release}
readonly DEFAULT_RID=linux-x64
readonly SOLUTION=Galaxy.sln

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE=1

# What the tests, the benchmarks and the demo run, by Debian package name.
readonly APT_PACKAGES=(
  ca-certificates git openssl                   # openssl: checks the GeoIP data's sha512 in setup
  gcc binutils zlib1g-dev                       # NativeAOT's native link step
  iproute2 nftables conntrack procps util-linux # namespaces, veth, policy routing, the firewall, sysctl, unshare
  tcpdump iputils-ping socat curl dnsutils iperf3 strace
  dnsmasq-base                                  # the authoritative DNS server in the DNS forwarder lab tests
  openvpn openssh-server openssh-client
  dante-server tinyproxy                        # upstream SOCKS5 / HTTP CONNECT proxies for the egress tests
  wrk nginx-light v2ray redsocks jq python3    # the relay benchmark: load generator, web server, peer relays, its helpers
  linux-perf                                    # bench/relay-profile.sh: where the relay's CPU goes (with strace)
  mmdb-bin                                      # libmaxminddb's mmdblookup: the oracle of the GeoIP tests
  qemu-utils libvirt-clients libxml2-utils xorriso shellcheck busybox # the portal (overlays, virt-xml-validate, config drives), script checks, udhcpd/udhcpc
)

# Data for GeoIP routing, from the npm registry, pinned by version and sha512 (fetched with curl: no npm needed).
#   @ip-location-db/geo-whois-asn-country-mmdb  CC0-1.0   country database in MaxMind DB format
#   world-countries                             ODbL-1.0  per-country coordinates (countries.json)
readonly GEO_DATA=(
  "@ip-location-db/geo-whois-asn-country-mmdb|2.3.2026061719|sha512-xemBDNQl4mCYDuVbqe3jKGKsVDykZGkfvebhtOh/3VGLadq8vsp7t7ontpMUt3hH7sAGT0eLDyJ99SV+0waxZg=="
  "world-countries|5.1.0|sha512-CXR6EBvTbArDlDDIWU3gfKb7Qk0ck2WNZ234b/A0vuecPzIfzzxH+O6Ejnvg1sT8XuiZjVlzOH0h08ZtaO7g0w=="
)
readonly GEO_DIR=$ARTIFACTS/data

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,15s/^# \{0,1\}//p' "$0"
}

need_root() {
  [[ $(id -u) -eq 0 ]] || die "$1 needs root (it installs packages and builds network namespaces)"
}

missing_packages() {
  local package
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' || echo "$package"
  done
}

ensure_dotnet() {
  if command -v dotnet >/dev/null && dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    return
  fi
  if apt-cache show dotnet-sdk-10.0 >/dev/null 2>&1; then
    log "installing dotnet-sdk-10.0"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dotnet-sdk-10.0 >/dev/null
    return
  fi
  die "the .NET 10 SDK is missing and no apt source offers dotnet-sdk-10.0; install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run again"
}

cmd_setup() {
  command -v dpkg-query >/dev/null || die "setup expects a Debian-based system (dpkg/apt)"
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} > 0)); then
    need_root "installing ${missing[*]}"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The servers among these (sshd, openvpn, danted, tinyproxy) are for the tests, which start their own
    # inside lab namespaces: forbid the packages from starting system services while they install.
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e $policy ]]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
    fi
    local status=0
    { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || status=$?
    ((own_policy)) && rm -f "$policy"
    ((status == 0)) || die "installing ${missing[*]} failed (apt-get exited $status)"
  fi
  ensure_dotnet
  ensure_geodata
}

# Unpacks each GEO_DATA package into artifacts/data/<name>/ (once), after checking its sha512.
ensure_geodata() {
  local entry name version integrity folder tarball expected actual
  for entry in "${GEO_DATA[@]}"; do
    IFS='|' read -r name version integrity <<<"$entry"
    folder=$GEO_DIR/${name##*/}
    [[ -f $folder/.version && $(<"$folder/.version") == "$version" ]] && continue
    log "fetching $name@$version from the npm registry"
    mkdir -p "$GEO_DIR"
    tarball=$(mktemp "$GEO_DIR/.download.XXXXXX")
    curl -fsSL --retry 3 -o "$tarball" "https://registry.npmjs.org/$name/-/${name##*/}-$version.tgz" ||
      { rm -f "$tarball"; die "downloading $name@$version failed"; }
    expected=${integrity#sha512-}
    actual=$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)
    [[ $actual == "$expected" ]] || { rm -f "$tarball"; die "$name@$version: sha512 mismatch (expected $expected, got $actual)"; }
    rm -rf "$folder" && mkdir -p "$folder"
    tar -xzf "$tarball" -C "$folder" --strip-components=1
    rm -f "$tarball"
    echo "$version" >"$folder/.version"
  done
}

cmd_build() {
  log "building $SOLUTION ($CONFIGURATION)"
  dotnet build "$SOLUTION" -c "$CONFIGURATION" -nologo -clp:NoSummary -v:quiet
}

cmd_publish() {
  local rid=$DEFAULT_RID
  while (($# > 0)); do
    case $1 in
      --rid) [[ $# -ge 2 ]] || die "--rid needs a runtime identifier (linux-x64, linux-musl-x64, linux-arm64, …)"; rid=$2; shift 2 ;;
      --rid=*) rid=${1#--rid=}; shift ;;
      *) die "publish: unknown option $1" ;;
    esac
  done

  local out=$ARTIFACTS/publish/$rid log_file=$ARTIFACTS/publish-$rid.log
  mkdir -p "$ARTIFACTS"
  log "publishing galaxy (NativeAOT, $rid)"
  if ! dotnet publish src/Galaxy.Agent/Galaxy.Agent.csproj -c "$CONFIGURATION" -r "$rid" -o "$out" -nologo >"$log_file" 2>&1; then
    cat "$log_file" >&2
    if [[ $rid == *musl* ]] && grep -q 'ILCompiler' "$log_file"; then
      die "publish for $rid failed: the musl NativeAOT compiler package is not available here (see the header of build.sh)"
    fi
    die "publish for $rid failed (log: $log_file)"
  fi
  # Trimming and AOT warnings are errors in the project files; this catches any that slip through.
  if grep -E 'warning (IL[0-9]+|NETSDK[0-9]+)' "$log_file" >&2; then
    die "publish for $rid printed trim/AOT warnings (log: $log_file)"
  fi

  local target=$ARTIFACTS/galaxy
  [[ $rid == "$DEFAULT_RID" ]] || target=$ARTIFACTS/galaxy-$rid
  cp "$out/galaxy" "$target"
  log "wrote $target ($(stat -c %s "$target") bytes)"
}

# Counts the outcomes in one TRX file; prints "passed failed skipped". Each test is one
# <UnitTestResult … outcome="…">: the counts come from those, not from dotnet's summary.
count_results() {
  local trx=$1
  count() { { grep -o "<UnitTestResult [^>]*outcome=\"\($1\)\"" "$trx" || true; } | wc -l; }
  echo "$(count Passed) $(count 'Failed\|Error\|Timeout\|Aborted') $(count NotExecuted)"
}

# Lists the tests one TRX file counts as failed, each with the first lines of its message, so that a run whose
# output is read only from its end (CI) still names what failed.
# Never fails: a file it cannot read is named instead (the summary line after it must always come).
list_failures() {
  python3 - "$1" <<'PY' 2>&1 || echo "FAILED (could not list the failures of $1)"
import sys
import xml.etree.ElementTree as ET

ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
try:
    results = list(ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns))
except Exception as error:  # a truncated or malformed file: say so, and let the summary follow
    print(f"FAILED (could not read {sys.argv[1]}: {error})")
    sys.exit(0)
for result in results:
    if result.get("outcome") in ("Failed", "Error", "Timeout", "Aborted"):
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=ns).strip().splitlines()
        print(f"FAILED {result.get('testName')}")
        for line in message[:6]:
            print(f"    {line[:300]}")
PY
}

cmd_test() {
  cmd_setup
  cmd_build
  cmd_publish
  export GALAXY_BINARY=$ARTIFACTS/galaxy

  local results=$ARTIFACTS/test-results
  rm -rf "$results"
  mkdir -p "$results"

  local total_passed=0 total_failed=0 total_skipped=0 project name trx passed failed skipped status
  local failures=()
  for project in tests/*/*.Tests.csproj; do
    name=$(basename "$project" .csproj)
    log "testing $name"
    status=0
    dotnet test "$project" -c "$CONFIGURATION" --no-build -nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$results" || status=$?
    trx=$results/$name.trx
    if [[ ! -f $trx ]]; then
      log "$name produced no results (dotnet test exited $status): counted as one failure"
      failures+=("FAILED $name: no results (dotnet test exited $status)")
      total_failed=$((total_failed + 1))
      continue
    fi
    read -r passed failed skipped < <(count_results "$trx")
    if ((status != 0 && failed == 0)); then
      log "$name: dotnet test exited $status with no failed test (crash or abort): counted as one failure"
      failures+=("FAILED $name: dotnet test exited $status with no failed test (crash or abort)")
      failed=1
    elif ((failed > 0)); then
      failures+=("$(list_failures "$trx")")
    fi
    log "$name: $passed passed, $failed failed, $skipped skipped"
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
  done

  if ((${#failures[@]} > 0)); then
    log "what failed (details in $results):"
    printf '%s\n' "${failures[@]}"
  fi
  if ((total_skipped > 0)); then
    echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
  else
    echo "$total_passed passed, $total_failed failed"
  fi
  ((total_failed == 0))
}

cmd_bench() {
  cmd_setup
  cmd_publish
  local script
  for script in bench/[!_]*.sh; do
    log "benchmark $script"
    bash "$script"
  done
}

cmd_demo() {
  cmd_setup
  cmd_publish
  bash demo/demo.sh
}

cmd_clean() {
  rm -rf "$ARTIFACTS"
  find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
}

main() {
  local command=${1:-}
  [[ -n $command ]] || { usage; exit 2; }
  shift
  case $command in
    demo) cmd_demo "$@" ;;
    setup) cmd_setup "$@" ;;
    build) cmd_build "$@" ;;
    publish) cmd_publish "$@" ;;
    test) cmd_test "$@" ;;
    bench) cmd_bench "$@" ;;
    clean) cmd_clean "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; die "unknown command: $command" ;;
  esac
}

main "$@"
