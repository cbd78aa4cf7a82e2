#!/usr/bin/env bash
# Requests per second under wrk of GET /orders on the NativeAOT binaries that measure.sh published, three ways: the
# Auth0Api app with a Bearer token, the same app with a DPoP-bound token and a fresh proof per request (RFC 9449: each
# proof is accepted once, so wrk's Lua script sends pre-minted distinct proofs), and the JwtBearer app with the Bearer
# token (it has no DPoP). Keys are given up front (OfflineJwks), no network. Rounds are interleaved in alternating order;
# with two or more cores the server is pinned to core 0 and wrk to core 1. Prints each round, the medians, and the
# server's CPU time per request (from /proc). docs/performance.md records a run. Needs wrk and curl.
#
#   bash bench/aspnetcore-size/measure.sh && bash bench/aspnetcore-size/rps-dpop.sh [rounds] [seconds] [connections]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/artifacts/aspnetcore-size"
# shellcheck source=common.sh
source "$here/common.sh"
rounds="${1:-5}"
seconds="${2:-8}"
connections="${3:-32}"
warmup=2
# Enough distinct proofs for the warm-up and the measured run at up to 12,000 requests per second.
per_second=12000

command -v wrk >/dev/null || { echo "wrk is missing (Debian: apt-get install wrk)"; exit 1; }
for app in Auth0Api JwtBearer; do
  [ -x "$out/$app/Size.$app" ] || { echo "no $out/$app/Size.$app: run measure.sh first"; exit 1; }
done
server_cpu=() client_cpu=()
if [ "$(nproc)" -ge 2 ]; then server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 Logging__LogLevel__Default=Warning
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# Each request takes the next proof; running out would send a replay, which the server refuses (non-2xx, run fails).
cat >"$work/dpop.lua" <<'LUA'
local proofs, token, next = {}, nil, 1
function init(args)
  for line in io.lines(args[1]) do proofs[#proofs + 1] = line end
  token = args[2]
  next = tonumber(args[3])
end
function request()
  local proof = proofs[next]
  if proof == nil then error("out of proofs") end
  next = next + 1
  return wrk.format("GET", nil, { ["Authorization"] = "DPoP " .. token, ["DPoP"] = proof })
end
LUA

results="$out/rps-dpop.txt"
: >"$results"

run() {
  local mode="$1" app port url minted status report before after rps requests cpu_us
  app=Auth0Api; [ "$mode" = JwtBearer ] && app=JwtBearer
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port/orders"
  local count=$(( (warmup + seconds) * per_second ))
  [ "$mode" = DPoP ] || count=1
  mapfile -t minted < <(dotnet run "$here/mint-dpop.cs" -- "$url" "$count" "$work/proofs")
  OfflineDomain="${minted[0]}" OfflineJwks="${minted[1]}" ASPNETCORE_URLS="http://127.0.0.1:$port" \
    "${server_cpu[@]}" "$out/$app/Size.$app" >"$out/$mode.rps-dpop.log" 2>&1 &
  pid=$!
  status=000
  for _ in $(seq 100); do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${minted[2]}" "$url" || true)
    [ "$status" = 200 ] && break
    sleep 0.1
  done
  if [ "$status" != 200 ]; then echo "$app answered $status"; cat "$out/$mode.rps-dpop.log"; exit 1; fi
  local args=(-H "Authorization: Bearer ${minted[2]}")
  if [ "$mode" = DPoP ]; then
    "${client_cpu[@]}" wrk -t1 -c"$connections" -d"${warmup}s" -s "$work/dpop.lua" "$url" -- "$work/proofs" "${minted[3]}" 1 >"$work/warm.txt"
    grep -q "Non-2xx" "$work/warm.txt" && { echo "DPoP warm-up: non-2xx answers"; cat "$work/warm.txt"; exit 1; }
    args=(-s "$work/dpop.lua")
  else
    "${client_cpu[@]}" wrk -t1 -c"$connections" -d"${warmup}s" "${args[@]}" "$url" >/dev/null
  fi
  before=$(cpu_ticks "$pid")
  if [ "$mode" = DPoP ]; then
    report=$("${client_cpu[@]}" wrk -t1 -c"$connections" -d"${seconds}s" "${args[@]}" "$url" -- "$work/proofs" "${minted[3]}" $((warmup * per_second + 1)))
  else
    report=$("${client_cpu[@]}" wrk -t1 -c"$connections" -d"${seconds}s" "${args[@]}" "$url")
  fi
  after=$(cpu_ticks "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  if grep -qE "Non-2xx|out of proofs" <<<"$report"; then echo "$mode: non-2xx answers"; echo "$report"; exit 1; fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$report")
  requests=$(awk '/requests in/ {print $1}' <<<"$report")
  cpu_us=$(cpu_per_request "$before" "$after" "$requests")
  echo "$round $mode $rps $cpu_us" >>"$results"
  printf '  %-10s %10.0f req/s %8.1f us CPU/request\n' "$mode" "$rps" "$cpu_us"
}

modes=(Bearer DPoP JwtBearer)
echo "wrk -t1 -c$connections -d${seconds}s, $rounds rounds, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
for round in $(seq "$rounds"); do
  echo "round $round"
  if [ $((round % 2)) -eq 1 ]; then order=("${modes[@]}"); else order=(JwtBearer DPoP Bearer); fi
  for mode in "${order[@]}"; do run "$mode"; done
done

echo
summarise "$results" "${modes[*]}" "JwtBearer"
