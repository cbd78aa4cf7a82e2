#!/usr/bin/env bash
# Per-call instruction counts of the DPoP proof API and of the bare ECDSA check it contains, and of a first-seen RS256
# access token and the bare RSA check it contains, by valgrind's callgrind,
# which counts instructions exactly whatever else the machine does (a proxy for time, not a substitute: the paired
# runs of Auth0.Api.Aot.Benchmarks stay the reference). The loop (bench/instructions/) runs under callgrind at two call
# counts, with tiered compilation off so that no method is recompiled during the run; the difference of the two totals
# divided by the difference of the counts is the steady per-call cost (start-up, set-up and JIT cancel out).
# Needs valgrind (Debian: apt-get install valgrind). About 6 minutes; INSTRUCTIONS_MODES="proof" or "bearer" runs one.
#
#   bash bench/instructions.sh                      # this checkout's library
#   bash bench/instructions.sh ../older-worktree    # another checkout's library, with the same loop
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$(cd "${1:-$here/..}" && pwd)"
n1=200 n2=1200
command -v valgrind >/dev/null || { echo "valgrind is missing (Debian: apt-get install valgrind)"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/instructions/Instructions.csproj" "$here/instructions/Program.cs" "$work/"
dotnet build "$work/Instructions.csproj" -c Release -p:LibRoot="$lib" -o "$work/out" >"$work/build.log" 2>&1 \
  || { tail -n 20 "$work/build.log"; exit 1; }
dotnet "$work/out/Instructions.dll" mint "$work/token.txt" >/dev/null
export INSTRUCTIONS_TOKEN_FILE="$work/token.txt"
count() {
  DOTNET_TieredCompilation=0 valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" dotnet "$work/out/Instructions.dll" "$1" "$2" >"$work/run.log" 2>&1 \
    || { echo "$1 $2 failed:" >&2; tail -n 20 "$work/run.log" >&2; exit 1; }
  grep -o 'Collected : [0-9]*' "$work/run.log" | grep -o '[0-9]*$'
}
per_call() { echo $(( ($(count "$1" $n2) - $(count "$1" $n1)) / (n2 - n1) )); }
modes="${INSTRUCTIONS_MODES:-proof bearer}"
echo "library: $lib ($(git -C "$lib" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "| per call | instructions |"
echo "|---|---:|"
for mode in $modes; do
  case "$mode" in
    proof)
      proof=$(per_call proof) ecdsa=$(per_call ecdsa)
      echo "| VerifyDPoPProofAsync, returning client key | $proof |"
      echo "| bare ECDsa.VerifyData of the same proof | $ecdsa |"
      echo "| the library's own work | $((proof - ecdsa)) |" ;;
    bearer)
      bearer=$(per_call bearer) rsa=$(per_call rsa)
      echo "| TryVerifyAccessTokenAsync, first-seen RS256 token (cache off) | $bearer |"
      echo "| bare RSA.VerifyData of the same token | $rsa |"
      echo "| the library's own work | $((bearer - rsa)) |" ;;
    *) echo "unknown mode $mode (proof, bearer)" >&2; exit 2 ;;
  esac
done
