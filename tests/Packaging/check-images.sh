#!/usr/bin/env bash
# Runs the core package's ReadyToRun images on the runtimes they were compiled for (docs/packaging.md, "ReadyToRun
# code"): tests/Packaging/Images, a console app that references the packed Auth0.Api.Aot only, is published
# self-contained for linux-x64 (so that it runs on the runtime of its target framework, whichever runtimes the machine
# has installed) from the packed folder, into an empty NUGET_PACKAGES, for:
#
#   net8.0   must publish runtimes/linux-x64/lib/net8.0 (the .NET 8 image) and run it: no method of the library's may
#            be compiled by the JIT from IL (tier-1 recompiles of hot precompiled methods are the tiered JIT's normal work)
#   net10.0  the same with runtimes/linux-x64/lib/net10.0
#   net9.0   NuGet gives a net9.0 app the nearest image, the .NET 8 one: it must run and verify (the .NET 9 runtime does
#            not use code compiled against .NET 8's framework and compiles the library with the JIT, as it would the IL;
#            the count is printed, not asserted)
#
# Each run verifies a Bearer token and a DPoP request with seeded keys and refuses a forgery and a proof for another
# URL (tests/Packaging/Images/Program.cs), with a token and keys minted by bench/seeded-size/mint.cs. Exits 1 with the
# reason on the first check that fails. About 30 s (three self-contained publishes; the runtime packs are restored).
#
#   bash tests/Packaging/check-images.sh artifacts/pack
#
# With IMAGES_KEEP=<empty or new folder>, the published apps are kept there (<folder>/<tfm>/out) instead of a temporary
# folder that is removed: bench/seeded-size/jit-net8.sh counts their start.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
packed="$(cd "${1:?usage: check-images.sh <folder with the packed .nupkg files>}" && pwd)"
cores=("$packed"/Auth0.Api.Aot.[0-9]*.nupkg)
[ "${#cores[@]}" -eq 1 ] && [ -f "${cores[0]}" ] || { echo "$packed must hold exactly one Auth0.Api.Aot package: ${cores[*]}"; exit 1; }
core="${cores[0]}"
version=$(unzip -p "$core" Auth0.Api.Aot.nuspec | sed -n 's:.*<version>\(.*\)</version>.*:\1:p')
if [ -n "${IMAGES_KEEP:-}" ]; then
  mkdir -p "$IMAGES_KEEP"
  work="$(cd "$IMAGES_KEEP" && pwd)"
  [ -z "$(ls -A "$work")" ] || { echo "IMAGES_KEEP=$IMAGES_KEEP is not empty"; exit 1; }
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

mapfile -t minted < <(dotnet run "$root/bench/seeded-size/mint.cs")
[ "${#minted[@]}" -eq 5 ] || { echo "bench/seeded-size/mint.cs printed ${#minted[@]} lines, not 5"; exit 1; }
export SEEDED_DOMAIN="${minted[0]}" SEEDED_JWKS="${minted[1]}" SEEDED_TOKEN="${minted[2]}" SEEDED_DPOP_TOKEN="${minted[3]}" SEEDED_PROOF="${minted[4]}"

# The repository's nuget.config (settings; the sources are the machine's) with the packed folder added as a source.
awk -v folder="$packed" '/<\/configuration>/ { print "  <packageSources>"; print "    <add key=\"auth0-api-aot-packed\" value=\"" folder "\" />"; print "  </packageSources>" } { print }' \
  "$root/nuget.config" >"$work/nuget.config"
grep -q "auth0-api-aot-packed" "$work/nuget.config" || { echo "could not add the packed folder to nuget.config"; exit 1; }

check() { # <target framework> <package folder of the image it must get> <strict: the library's code must not be JIT-compiled>
  local tfm="$1" image="$2" strict="$3" app="$work/$1"
  mkdir -p "$app"
  cp "$root/tests/Packaging/Images/Images.csproj" "$root/tests/Packaging/Images/Program.cs" "$work/nuget.config" "$app/"
  if ! NUGET_PACKAGES="$work/packages" dotnet publish "$app" -c Release -r linux-x64 -p:ImagesTargetFramework="$tfm" \
      -p:Auth0ApiAotVersion="$version" -o "$app/out" >"$app/publish.log" 2>&1; then
    echo "$tfm: publish failed:"; tail -n 20 "$app/publish.log"; exit 1
  fi
  # The package restored is, byte for byte, the one just packed, and the assembly published is its image.
  cmp -s "$work/packages/auth0.api.aot/$version/auth0.api.aot.$version.nupkg" "$core" \
    || { echo "$tfm: Auth0.Api.Aot $version was not installed from $packed"; exit 1; }
  unzip -p "$core" "$image/Auth0.Api.Aot.dll" | cmp -s - "$app/out/Auth0.Api.Aot.dll" \
    || { echo "$tfm: the published Auth0.Api.Aot.dll is not the package's $image image"; exit 1; }
  "$app/out/Images" || { echo "$tfm: the app did not verify with the $image image"; exit 1; }
  # The same run again with the JIT's list of the methods it compiles, written to the process's stdout.
  DOTNET_JitDisasmSummary=1 "$app/out/Images" >"$app/jit.txt" 2>&1 || { echo "$tfm: the diagnostic run failed:"; grep -v "JIT compiled" "$app/jit.txt" | tail -n 5; exit 1; }
  grep -q "JIT compiled Program:<Main>" "$app/jit.txt" || { echo "$tfm: the JIT list names none of the app's own methods: was it written?"; exit 1; }
  local jitted
  # The library's types, and the compiler's helpers in <PrivateImplementationDetails> instantiated over them.
  jitted=$(grep -E 'JIT compiled (Auth0\.Api\.Aot\.|<PrivateImplementationDetails>:[^(]*Auth0\.Api\.Aot\.)' "$app/jit.txt" | grep -vE '\[(Instrumented )?Tier1' || true)
  local count=0
  [ -z "$jitted" ] || count=$(wc -l <<<"$jitted")
  if [ "$strict" = strict ] && [ "$count" -ne 0 ]; then
    echo "$tfm: the JIT compiled $count methods of the library from IL: the $image image was not used:"; head -n 10 <<<"$jitted"; exit 1
  fi
  echo "$tfm: published $image and verified; the JIT compiled $count of the library's methods from IL"
}

check net8.0 runtimes/linux-x64/lib/net8.0 strict
check net10.0 runtimes/linux-x64/lib/net10.0 strict
check net9.0 runtimes/linux-x64/lib/net8.0 lenient
echo "images ok"
