#!/usr/bin/env bash
# NativeAOT binary size of four minimal APIs, published one after the other with the same settings (Directory.Build.props
# beside this script): (a) Empty, (b) Floor, (c) JwtBearer, (d) Auth0Api. Prints a Markdown table and each app's
# IL2xxx/IL3xxx warnings; docs/performance.md records a run. Needs clang and zlib1g-dev, like any NativeAOT publish.
#
#   bash bench/aspnetcore-size/measure.sh            # the four sizes
#   bash bench/aspnetcore-size/measure.sh --mstat    # also keep each app's .mstat (what the compiler kept, by size)
#   bash bench/aspnetcore-size/measure.sh --size     # all four with OptimizationPreference=Size instead of the default
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/artifacts/aspnetcore-size"
extra=()
mstat=false
for arg in "$@"; do
  case "$arg" in
    --mstat) mstat=true; extra+=(-p:IlcGenerateMstatFile=true) ;;
    --size) extra+=(-p:OptimizationPreference=Size) ;;
    *) echo "unknown argument: $arg"; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
rm -rf "$out"
mkdir -p "$out"
echo "SDK $(dotnet --version), $(uname -m), $(date -u +%Y-%m-%d), extra properties: ${extra[*]:-none}"
rows=()
for app in Empty Floor JwtBearer Auth0Api; do
  log="$out/$app.publish.log"
  if ! dotnet publish "$here/$app/Size.$app.csproj" -c Release -r linux-x64 -o "$out/$app" "${extra[@]}" >"$log" 2>&1; then
    echo "publish of $app failed:"; tail -n 30 "$log"; exit 1
  fi
  bytes=$(stat -c %s "$out/$app/Size.$app")
  warnings=$({ grep -oE "warning IL[23][0-9]{3}[^[]*" "$log" || true; } | sort -u | wc -l)
  rows+=("$(printf '| %s | %s | %.2f | %s |' "$app" "$bytes" "$(awk "BEGIN {print $bytes / 1048576}")" "$warnings")")
  echo "$app: $bytes bytes"
done
echo
echo "| app | bytes | MiB | distinct IL2xxx/IL3xxx warnings |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
for app in Empty Floor JwtBearer Auth0Api; do
  if grep -qE "warning IL[23][0-9]{3}" "$out/$app.publish.log"; then
    echo; echo "$app warnings:"; grep -oE "warning IL[23][0-9]{3}[^[]*" "$out/$app.publish.log" | sort -u
  fi
done
if $mstat; then find "$here" -path "*/native/*.mstat"; fi
