#!/usr/bin/env bash
# The Lambda sample's NativeAOT binary size and cold start: publishes samples/Auth0.Api.Aot.Lambda (linux-x64, the
# `bootstrap` a provided.al2023 function runs), prints its size and the size of the zip Lambda would get, then runs
# samples/Auth0.Api.Aot.Lambda.Client --cold-start: each round starts a fresh bootstrap process against a fresh Runtime
# API emulator with one Bearer event queued, and times process start to the emulator receiving the authorised
# response (init, first invocation/next, verification with seeded keys, invocation/response). Lambda's own work
# before the process starts (fetching the zip, creating the environment) is not in it. docs/performance.md records a
# run. Needs clang and zlib1g-dev (as .ci/run installs them); zip is optional.
#
#   bash bench/lambda/measure.sh [rounds]                # default 30
#   bash bench/lambda/measure.sh --no-publish [rounds]   # time the binary of a previous run again
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/artifacts/lambda"
publish=true
if [ "${1:-}" = "--no-publish" ]; then publish=false; shift; fi
rounds="${1:-30}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "SDK $(dotnet --version), $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
if $publish; then
  rm -rf "$out"
  dotnet publish "$root/samples/Auth0.Api.Aot.Lambda" -c Release -r linux-x64 -o "$out" >"$root/artifacts/lambda-publish.log" 2>&1 \
    || { cat "$root/artifacts/lambda-publish.log"; exit 1; }
fi
bytes=$(stat -c %s "$out/bootstrap")
echo "bootstrap: $bytes bytes ($(awk "BEGIN {printf \"%.2f\", $bytes / 1048576}") MiB)"
if command -v zip >/dev/null; then
  rm -f "$out/function.zip"
  (cd "$out" && zip -q -9 function.zip bootstrap)
  zipped=$(stat -c %s "$out/function.zip")
  echo "function.zip (bootstrap only): $zipped bytes ($(awk "BEGIN {printf \"%.2f\", $zipped / 1048576}") MiB)"
fi
dotnet build "$root/samples/Auth0.Api.Aot.Lambda.Client" -c Release >/dev/null
# Everything but the client's "Function: <path>" line, so that a failed round's reason is shown too.
dotnet run --project "$root/samples/Auth0.Api.Aot.Lambda.Client" -c Release --no-build -- "$out/bootstrap" --cold-start "$rounds" | grep -v "^Function: "
