#!/usr/bin/env bash
# Requests per second under wrk of GET /orders on the NativeAOT binaries that measure.sh published: Empty (unprotected),
# Floor (a handler that checks nothing), JwtBearer and Auth0Api (both verify the same RS256 Bearer token: keys given
# up front, no network), Auth0Api twice: Auth0ApiNoCache with the verified-token cache off (every request a full
# verification, as JwtBearer's; the row issue 13's goal is about) and Auth0Api as shipped (the cache on: wrk sends the
# same token, so every request after the first is a cache hit). Rounds are interleaved (every round runs each app once, in alternating order); with two or more
# cores the server is pinned to core 0 and wrk to core 1. Prints each round and the medians, with the server's CPU time
# per request (from /proc: steadier than req/s on a shared machine); docs/performance.md records a run. Needs wrk
# (Debian: apt-get install wrk) and curl.
#
#   bash bench/aspnetcore-size/measure.sh && bash bench/aspnetcore-size/rps.sh [rounds] [seconds] [connections]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/artifacts/aspnetcore-size"
# shellcheck source=common.sh
source "$here/common.sh"
rounds="${1:-5}"
seconds="${2:-10}"
connections="${3:-32}"
apps=(Empty Floor JwtBearer Auth0ApiNoCache Auth0Api)

command -v wrk >/dev/null || { echo "wrk is missing (Debian: apt-get install wrk)"; exit 1; }
# A row's binary: Auth0ApiNoCache is the Auth0Api binary with VerifiedTokenCache=false.
binary() { local app="${1%NoCache}"; echo "$out/$app/Size.$app"; }
for app in "${apps[@]}"; do
  [ -x "$(binary "$app")" ] || { echo "no $(binary "$app"): run measure.sh first"; exit 1; }
done
server_cpu=() client_cpu=()
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mapfile -t minted < <(dotnet run "$here/mint.cs")
export OfflineDomain="${minted[0]}" OfflineJwks="${minted[1]}"
token="${minted[2]}"
export Logging__LogLevel__Default=Warning

pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT
results="$out/rps.txt"
: >"$results"

run() {
  local app="$1" port status rps non2xx
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local cache=true
  [ "$app" != "${app%NoCache}" ] && cache=false
  VerifiedTokenCache="$cache" ASPNETCORE_URLS="http://127.0.0.1:$port" "${server_cpu[@]}" "$(binary "$app")" >"$out/$app.rps.log" 2>&1 &
  pid=$!
  status=000
  for _ in $(seq 100); do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/orders" || true)
    [ "$status" = 200 ] && break
    sleep 0.1
  done
  if [ "$status" != 200 ]; then echo "$app answered $status"; cat "$out/$app.rps.log"; exit 1; fi
  "${client_cpu[@]}" wrk -t1 -c"$connections" -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/orders" >/dev/null
  local report before after requests cpu_us
  before=$(cpu_ticks "$pid")
  report=$("${client_cpu[@]}" wrk -t1 -c"$connections" -d"${seconds}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/orders")
  after=$(cpu_ticks "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  if grep -q "Non-2xx" <<<"$report"; then echo "$app: non-2xx answers"; echo "$report"; exit 1; fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$report")
  requests=$(awk '/requests in/ {print $1}' <<<"$report")
  # The server's own CPU time (user + system) per request: unlike req/s, other processes on the machine barely move it.
  cpu_us=$(cpu_per_request "$before" "$after" "$requests")
  echo "$round $app $rps $cpu_us" >>"$results"
  printf '  %-16s %10.0f req/s %8.1f us CPU/request\n' "$app" "$rps" "$cpu_us"
}



echo "wrk -t1 -c$connections -d${seconds}s, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
for round in $(seq "$rounds"); do
  echo "round $round"
  # Odd rounds in order, even rounds reversed, so that no app always follows the same neighbour.
  if [ $((round % 2)) -eq 1 ]; then order=("${apps[@]}"); else order=(Auth0Api Auth0ApiNoCache JwtBearer Floor Empty); fi
  for app in "${order[@]}"; do run "$app"; done
done

echo
summarise "$results" "${apps[*]}" "JwtBearer Empty"
