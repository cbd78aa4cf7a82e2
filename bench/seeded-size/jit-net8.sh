#!/usr/bin/env bash
# The JIT start on .NET 8 with the core package's net8.0 linux-x64 ReadyToRun image and with its plain IL (docs/
# performance.md, "JIT start on .NET 8"). Packs src/Auth0.Api.Aot, publishes tests/Packaging/Images self-contained for
# net8.0 on linux-x64 through tests/Packaging/check-images.sh (which also checks that the image is the one published
# and that it runs), makes a copy of that app with lib/net8.0's IL in place of the image, and counts each under
# valgrind's callgrind: the methods the JIT compiled (DOTNET_JitDisasmSummary) and the instructions of the whole process,
# from its start to its exit (a Bearer token and a DPoP request verified, a forgery and a wrong-URL proof refused, with
# keys seeded), with the call-counting delay raised as in measure.sh --jit-callgrind. The counts repeat within 0.01 %.
# Needs valgrind. The apps are kept in artifacts/seeded-size/jit-net8.
#
#   bash bench/seeded-size/jit-net8.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/artifacts/seeded-size/jit-net8"
rm -rf "$out"
mkdir -p "$out"
dotnet pack "$root/src/Auth0.Api.Aot" -c Release -o "$out/pack" >"$out/pack.log" 2>&1 || { echo "dotnet pack failed:"; tail -n 30 "$out/pack.log"; exit 1; }
# Published outside the repository, whose Directory.Build.props and Directory.Packages.props must not apply.
apps="$(mktemp -d)"
trap 'rm -rf "$apps"' EXIT
IMAGES_KEEP="$apps" bash "$root/tests/Packaging/check-images.sh" --core-only "$out/pack" >"$out/check-images.log" 2>&1 \
  || { echo "check-images.sh failed:"; tail -n 30 "$out/check-images.log"; exit 1; }
image_app="$out/image"
cp -r "$apps/Images-net8.0/out" "$image_app"
il_app="$out/il"
cp -r "$image_app" "$il_app"
unzip -p "$out/pack"/Auth0.Api.Aot.[0-9]*.nupkg lib/net8.0/Auth0.Api.Aot.dll >"$il_app/Auth0.Api.Aot.dll"
mapfile -t minted < <(dotnet run "$root/bench/seeded-size/mint.cs")
export SEEDED_DOMAIN="${minted[0]}" SEEDED_JWKS="${minted[1]}" SEEDED_TOKEN="${minted[2]}" SEEDED_DPOP_TOKEN="${minted[3]}" SEEDED_PROOF="${minted[4]}"

echo "SDK $(dotnet --version), $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| net8.0 app (self-contained, .NET $("$image_app/Images" | sed -n 's/.*, \([0-9.]*\)$/\1/p')) | methods JIT-compiled | of them the library's | instructions | vs the IL |"
echo "|---|---:|---:|---:|---:|"
declare -A counted
for variant in il image; do
  if [ "$variant" = il ]; then app="$il_app"; else app="$image_app"; fi
  DOTNET_TC_CallCountingDelayMs=60000 DOTNET_JitDisasmSummary=1 "$app/Images" >"$out/$variant.methods.txt"
  methods=$(grep -c 'JIT compiled' "$out/$variant.methods.txt")
  own=$(grep -c 'JIT compiled Auth0\.Api\.Aot\.' "$out/$variant.methods.txt" || true)
  DOTNET_TC_CallCountingDelayMs=60000 DOTNET_GCHeapHardLimit=0x30000000 valgrind --tool=callgrind --callgrind-out-file="$out/$variant.callgrind" \
    "$app/Images" >/dev/null 2>"$out/$variant.callgrind.log" || { echo "$variant failed under valgrind:"; tail -n 20 "$out/$variant.callgrind.log"; exit 1; }
  counted[$variant]=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$variant.callgrind.log")
  ratio=$(python3 -c "print(f'{${counted[$variant]} / ${counted[il]}:.3f}')")
  name="library IL (lib/net8.0)"; [ "$variant" = image ] && name="**the package's net8.0 linux-x64 image**"
  printf '| %s | %d | %d | %s | %s |\n' "$name" "$methods" "$own" "$(python3 -c "print(f'{${counted[$variant]}:,}')")" "$ratio"
done
