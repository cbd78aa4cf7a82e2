#!/usr/bin/env bash
# NativeAOT size and cold start of console apps that verify one token with keys given up front (no network): Hello
# (hello world), Floor (System.Text.Json source generation + RSA.VerifyData + iss/aud/exp), FloorAsync (the same code
# behind an async method that the app awaits, as a caller of any asynchronous verification API does), IdentityModel
# (Microsoft.IdentityModel.JsonWebTokens), Bearer and DPoP (this library, StaticJwks), and BearerNoHttp and DPoPNoHttp
# (the same code built with Auth0ApiAotHttpFetch=false), and FloorDPoP (the floor of one DPoP request: Floor's token
# check plus the proof's ECDSA import, verification and RFC 9449 checks), against which the DPoP apps are also compared. All published with the same settings (Directory.Build.props
# beside this script), linux-x64, stripped. Cold start (process start to verified, exit) is timed with hyperfine in
# interleaved rounds: each round runs every app for a few short runs, the order rotating from round to round, and a
# ratio to Floor is taken within each round (the machine's state is shared by the apps of one round); the table gives
# the median per-round ratio. docs/performance.md records a run. Needs clang, zlib1g-dev, hyperfine and python3.
# With --callgrind, cold start is counted instead of timed: the instructions each app executes from process start to
# exit, under valgrind's callgrind (deterministic for a given binary, token and machine, whatever else the machine
# runs), with the ratio to Floor; no hyperfine. Needs valgrind.
#
#   bash bench/seeded-size/measure.sh [rounds] [runs per app and round]     # defaults: 15 rounds of 20 runs
#   bash bench/seeded-size/measure.sh --no-publish [rounds] [runs]          # time the binaries of a previous run again
#
# --jit adds a second table: the JIT start (`dotnet app.dll`) of Floor, IdentityModel, Bearer and DPoP, the same
# projects built framework-dependent (`dotnet publish -p:PublishAot=false -p:UseAppHost=false`, no runtime identifier,
# into artifacts/seeded-size/jit/): what a default deployment runs. ReadyToRun stays off for the apps and the library
# (the publish default; the shared framework is ReadyToRun as shipped), and tiered compilation, quick JIT and TieredPGO
# keep their defaults; the props beside this script (invariant globalization, UseSystemResourceKeys) apply alike.
# Timed after the NativeAOT table with the same method: interleaved rounds, order rotated, per-round ratios to the JIT
# Floor. --jit-only publishes and times the JIT builds alone (no NativeAOT publish, no NativeAOT table). Flags come
# before the numbers, in any order:
#
# BearerPackaged and DPoPPackaged are the Bearer and DPoP JIT builds with the library as the package ships it: `dotnet
# pack` of src/Auth0.Api.Aot, and its runtimes/linux-x64/lib/net10.0 image (ReadyToRun code, docs/packaging.md) in
# place of the IL assembly, which is the file the host loads for a portable app on linux-x64 (the deps.json
# runtimeTargets entry). The Bearer and DPoP rows are the library's IL, as a ProjectReference or another platform gets.
# --jit-callgrind counts the JIT builds instead of timing them: methods the JIT compiled (DOTNET_JitDisasmSummary) and callgrind's instructions of `dotnet app.dll`, with the call-counting delay raised so that
# valgrind's slowness does not start tier-1 compilations that a normal start never reaches. Needs valgrind.
#
#   bash bench/seeded-size/measure.sh --jit [rounds] [runs]                 # both tables
#   bash bench/seeded-size/measure.sh --jit-only --no-publish [rounds] [runs]
#   bash bench/seeded-size/measure.sh --callgrind                           # publish, then count instructions (NativeAOT only)
#   bash bench/seeded-size/measure.sh --no-publish --callgrind              # count those of a previous run's binaries
#   bash bench/seeded-size/measure.sh --jit-callgrind                       # publish the JIT builds, count them
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/artifacts/seeded-size"
publish=true
aot=true
jit=false
callgrind=false
jit_callgrind=false
while [ $# -gt 0 ]; do
  case "$1" in
    --no-publish) publish=false; shift ;;
    --jit) jit=true; shift ;;
    --jit-only) jit=true; aot=false; shift ;;
    --callgrind) callgrind=true; shift ;;
    --jit-callgrind) jit=true; aot=false; jit_callgrind=true; shift ;;
    *) break ;;
  esac
done
rounds="${1:-15}"
runs="${2:-20}"
apps=(Hello Floor FloorAsync FloorDPoP IdentityModel Bearer BearerNoHttp DPoP DPoPNoHttp)
jit_apps=(Floor IdentityModel Bearer BearerPackaged DPoP DPoPPackaged)

if $callgrind || $jit_callgrind; then
  $callgrind && ! $aot && { echo "--callgrind counts the NativeAOT apps: it does not go with --jit-only"; exit 2; }
  command -v valgrind >/dev/null || { echo "valgrind is missing (Debian: apt-get install valgrind)"; exit 1; }
fi
if $callgrind; then
  $aot || { echo "--callgrind counts the NativeAOT apps: it does not go with --jit-only"; exit 2; }
  jit=false
  command -v valgrind >/dev/null || { echo "valgrind is missing (Debian: apt-get install valgrind)"; exit 1; }
elif ! $jit_callgrind; then
  command -v hyperfine >/dev/null || { echo "hyperfine is missing (Debian: apt-get install hyperfine)"; exit 1; }
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "SDK $(dotnet --version), $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
if $publish && $aot; then
  rm -rf "$out"
  mkdir -p "$out"
  for app in "${apps[@]}"; do
    log="$out/$app.publish.log"
    if ! dotnet publish "$here/$app/Seeded.$app.csproj" -c Release -r linux-x64 -o "$out/$app" >"$log" 2>&1; then
      echo "publish of $app failed:"; tail -n 30 "$log"; exit 1
    fi
    echo "published $app"
  done
fi

if $publish && $jit; then
  rm -rf "$out/jit"
  mkdir -p "$out/jit"
  for app in "${jit_apps[@]}"; do
    [ "${app%Packaged}" != "$app" ] && continue
    log="$out/jit/$app.publish.log"
    if ! dotnet publish "$here/$app/Seeded.$app.csproj" -c Release -p:PublishAot=false -p:UseAppHost=false -o "$out/jit/$app" >"$log" 2>&1; then
      echo "JIT publish of $app failed:"; tail -n 30 "$log"; exit 1
    fi
    echo "published $app (JIT)"
  done
  # The package's ReadyToRun image in place of the IL assembly (the file names stay the apps': Seeded.Bearer.dll).
  if ! dotnet pack "$root/src/Auth0.Api.Aot" -c Release -o "$out/jit/pack" >"$out/jit/pack.log" 2>&1; then
    echo "dotnet pack of the library failed:"; tail -n 30 "$out/jit/pack.log"; exit 1
  fi
  image="$out/jit/pack/runtimes/linux-x64/lib/net10.0/Auth0.Api.Aot.dll"
  unzip -q -o "$out/jit/pack"/Auth0.Api.Aot.[0-9]*.nupkg "runtimes/linux-x64/lib/net10.0/Auth0.Api.Aot.dll" -d "$out/jit/pack"
  for app in Bearer DPoP; do
    rm -rf "$out/jit/${app}Packaged"
    cp -r "$out/jit/$app" "$out/jit/${app}Packaged"
    cp "$image" "$out/jit/${app}Packaged/Auth0.Api.Aot.dll"
    echo "made ${app}Packaged (JIT, the library's linux-x64 ReadyToRun image from the package)"
  done
fi

mapfile -t minted < <(dotnet run "$here/mint.cs")
export SEEDED_DOMAIN="${minted[0]}" SEEDED_JWKS="${minted[1]}" SEEDED_TOKEN="${minted[2]}" SEEDED_DPOP_TOKEN="${minted[3]}" SEEDED_PROOF="${minted[4]}"
# The JIT build's entry assembly: a Packaged app is its unpackaged app's build with another library file.
jit_dll() { local app="$1" base="${1%Packaged}"; echo "$out/jit/$app/Seeded.$base.dll"; }
if $jit; then
  for app in "${jit_apps[@]}"; do
    dotnet "$(jit_dll "$app")" >/dev/null || { echo "$app (JIT) did not verify its token:"; dotnet "$(jit_dll "$app")" || true; exit 1; }
  done
fi

# Times the apps with hyperfine in interleaved rounds, the order rotated each round, into <dir>/round-N.json:
# time_rounds <dir> aot|jit <app>... (aot runs the NativeAOT binary, jit runs `dotnet app.dll`).
time_rounds() {
  local dir="$1" kind="$2"; shift 2
  local list=("$@") count=$# round i app
  for round in $(seq "$rounds"); do
    commands=()
    for i in $(seq 0 $((count - 1))); do
      app="${list[$(((i + round) % count))]}"
      if [ "$kind" = jit ]; then commands+=(-n "$app" "dotnet $(jit_dll "$app")"); else commands+=(-n "$app" "$dir/$app/Seeded.$app"); fi
    done
    hyperfine -N --style none --warmup 2 --runs "$runs" --export-json "$dir/round-$round.json" "${commands[@]}" >/dev/null 2>>"$dir/hyperfine.log"
  done
}

# The instructions one command executes, under callgrind: callgrind_count <name> <file prefix> <command>...; writes
# <prefix>.callgrind and <prefix>.callgrind.log and prints the count, or the log's tail and fails.
callgrind_count() {
  local name="$1" prefix="$2"
  shift 2
  valgrind --tool=callgrind --callgrind-out-file="$prefix.callgrind" "$@" >/dev/null 2>"$prefix.callgrind.log" \
    || { echo "$name failed under valgrind:" >&2; tail -n 20 "$prefix.callgrind.log" >&2; return 1; }
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$prefix.callgrind.log"
}

# The NativeAOT table (the script's output without --jit), then the JIT table with --jit.
aot_table() {
for app in "${apps[@]}"; do
  "$out/$app/Seeded.$app" >/dev/null || { echo "$app did not verify its token:"; "$out/$app/Seeded.$app" || true; exit 1; }
done

echo
echo "| app | bytes | MiB | distinct IL2xxx/IL3xxx warnings |"
echo "|---|---:|---:|---:|"
for app in "${apps[@]}"; do
  bytes=$(stat -c %s "$out/$app/Seeded.$app")
  warnings=$({ grep -oE "warning IL[23][0-9]{3}[^[]*" "$out/$app.publish.log" 2>/dev/null || true; } | sort -u | wc -l)
  printf '| %s | %s | %.2f | %s |\n' "$app" "$bytes" "$(awk "BEGIN {print $bytes / 1048576}")" "$warnings"
done

if $callgrind; then
  # Each binary runs alone in a directory of its own: valgrind would otherwise read the .dbg file beside it, whose
  # DWARF 5 (clang) valgrind 3.19 cannot parse. Instruction counts need no symbols.
  echo
  echo "valgrind --tool=callgrind: instructions executed from process start to exit"
  echo
  echo "| app | instructions | vs Floor | vs its own floor (FloorDPoP for the DPoP apps) |"
  echo "|---|---:|---:|---:|"
  declare -A counted
  for app in Floor "${apps[@]}"; do
    [ -n "${counted[$app]:-}" ] && continue
    dir=$(mktemp -d)
    cp "$out/$app/Seeded.$app" "$dir/"
    counted[$app]=$(callgrind_count "$app" "$out/$app" "$dir/Seeded.$app") || exit 1
    rm -rf "$dir"
  done
  for app in "${apps[@]}"; do
    own=Floor; [ "${app#DPoP}" != "$app" ] && own=FloorDPoP
    printf '| %s | %s | %s | %s |\n' "$app" "$(echo "${counted[$app]}" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')" "$(awk "BEGIN {printf \"%.3f\", ${counted[$app]} / ${counted[Floor]}}")" "$(awk "BEGIN {printf \"%.3f\", ${counted[$app]} / ${counted[$own]}}")"
  done
  echo
  echo "Profiles: $out/<app>.callgrind (callgrind_annotate; for function names publish with -p:StripSymbols=false"
  echo "and run a copy made with objcopy --strip-debug: the symbol table without the DWARF)."
  return
fi

echo
echo "hyperfine -N --warmup 2 --runs $runs, $rounds rounds, order rotated each round"
time_rounds "$out" aot "${apps[@]}"

python3 - "$out" "$rounds" "${apps[@]}" <<'PY'
import json, statistics, sys
out, rounds, apps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# Per app, per round: the median run and the fastest run (the least disturbed by the rest of the machine).
median = {a: [] for a in apps}
fastest = {a: [] for a in apps}
for r in range(1, rounds + 1):
    for result in json.load(open(f"{out}/round-{r}.json"))["results"]:
        median[result["command"]].append(result["median"])
        fastest[result["command"]].append(result["min"])
ratio = lambda series, a, b: statistics.median(x / y for x, y in zip(series[a], series[b]))
print()
print("| app | median run (ms, median over rounds) | vs Floor (per-round ratio of median runs, median) | vs Floor (per-round ratio of fastest runs, median) | vs Hello (median runs) |")
print("|---|---:|---:|---:|---:|")
for a in apps:
    print(f"| {a} | {statistics.median(median[a]) * 1000:.2f} | {ratio(median, a, 'Floor'):.3f} | {ratio(fastest, a, 'Floor'):.3f} | {ratio(median, a, 'Hello'):.2f} |")
print()
for a in ("DPoP", "DPoPNoHttp"):
    print(f"{a} vs FloorDPoP: {ratio(median, a, 'FloorDPoP'):.3f} (median runs), {ratio(fastest, a, 'FloorDPoP'):.3f} (fastest runs)")
for a, b in (("Bearer", "FloorAsync"), ("BearerNoHttp", "FloorAsync"), ("BearerNoHttp", "Bearer"), ("DPoPNoHttp", "DPoP")):
    print(f"{a} vs {b}: {ratio(median, a, b):.3f} (median runs), {ratio(fastest, a, b):.3f} (fastest runs)")
PY
}

jit_callgrind_table() {
echo
echo "JIT start counted (dotnet app.dll under valgrind --tool=callgrind; DOTNET_TC_CallCountingDelayMs=60000):"
echo
echo "| app (JIT) | methods JIT-compiled | of them the library's own | instructions | vs JIT Floor |"
echo "|---|---:|---:|---:|---:|"
declare -A counted
for app in Floor "${jit_apps[@]}"; do
  [ -n "${counted[$app]:-}" ] && continue
  # The list goes to stdout, as in .ci/run (one run that wrote it to DOTNET_JitStdOutFile crashed at exit there).
  DOTNET_TC_CallCountingDelayMs=60000 DOTNET_JitDisasmSummary=1 dotnet "$(jit_dll "$app")" >"$out/jit/$app.methods.txt"
  methods[$app]=$(grep -c "JIT compiled" "$out/jit/$app.methods.txt")
  own[$app]=$(grep -cE "JIT compiled Auth0\.Api\.Aot\." "$out/jit/$app.methods.txt" || true)
  counted[$app]=$(DOTNET_TC_CallCountingDelayMs=60000 callgrind_count "$app (JIT)" "$out/jit/$app" dotnet "$(jit_dll "$app")") || exit 1
done
for app in "${jit_apps[@]}"; do
  printf '| %s | %s | %s | %s | %s |\n' "$app" "${methods[$app]}" "${own[$app]}" "$(echo "${counted[$app]}" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')" "$(awk "BEGIN {printf \"%.3f\", ${counted[$app]} / ${counted[Floor]}}")"
done
}

jit_table() {
echo
echo "JIT start (dotnet app.dll, framework-dependent, ReadyToRun off, tiering defaults): hyperfine -N --warmup 2 --runs $runs, $rounds rounds, order rotated each round"
time_rounds "$out/jit" jit "${jit_apps[@]}"

python3 - "$out/jit" "$rounds" "${jit_apps[@]}" <<'PY'
import json, statistics, sys
out, rounds, apps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
median = {a: [] for a in apps}
fastest = {a: [] for a in apps}
for r in range(1, rounds + 1):
    for result in json.load(open(f"{out}/round-{r}.json"))["results"]:
        median[result["command"]].append(result["median"])
        fastest[result["command"]].append(result["min"])
ratio = lambda series, a, b: statistics.median(x / y for x, y in zip(series[a], series[b]))
quartiles = lambda series, a, b: statistics.quantiles([x / y for x, y in zip(series[a], series[b])], n=4) if len(series[a]) > 1 else [ratio(series, a, b)] * 3
print()
print("| app (JIT) | median run (ms, median over rounds) | vs JIT Floor (per-round ratio of median runs, median) | (P25-P75) | vs JIT Floor (per-round ratio of fastest runs, median) |")
print("|---|---:|---:|---:|---:|")
for a in apps:
    q = quartiles(median, a, "Floor")
    print(f"| {a} | {statistics.median(median[a]) * 1000:.2f} | {ratio(median, a, 'Floor'):.3f} | {q[0]:.3f}-{q[2]:.3f} | {ratio(fastest, a, 'Floor'):.3f} |")
PY
}

if $aot; then aot_table; fi
declare -A methods own
if $jit_callgrind; then jit_callgrind_table; elif $jit; then jit_table; fi
