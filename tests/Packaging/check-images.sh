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
# reason on the first check that fails. About 60 s (four self-contained publishes; the runtime packs are restored).
#
#   bash tests/Packaging/check-images.sh artifacts/pack
#
# Then the fresh consumer (tests/Packaging/Consumer, built for net8.0 without the Sodium package) on .NET 8, strict the
# same way for the core, ASP.NET Core and Redis packages' net8.0 images. --core-only (the folder holds the core package
# alone) leaves the consumer out.
#
# With IMAGES_KEEP=<empty or new folder>, the published apps are kept there (<folder>/<app>-<tfm>/out) instead of a
# temporary folder that is removed: bench/seeded-size/jit-net8.sh counts their start.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
core_only=false
if [ "${1:-}" = --core-only ]; then core_only=true; shift; fi
packed="$(cd "${1:?usage: check-images.sh [--core-only] <folder with the packed .nupkg files>}" && pwd)"
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

# shellcheck source=tests/Packaging/packed.sh
source "$root/tests/Packaging/packed.sh"
packed_nuget_config "$packed" "$root/nuget.config" "$work/nuget.config"

# <app: Images or Consumer> <target framework> <image folder in each package> <strict|lenient> <package id>...: publishes
# the app self-contained for linux-x64 into $work/<app>-<tfm>, checks that each named package was installed from the
# packed folder and that its published assembly is the package's image from that folder, runs it, and runs it again with
# the JIT's list of the methods it compiles. strict: none of the methods jitted_from_il (tests/Packaging/packed.sh)
# lists may be compiled from IL.
check() {
  local name="$1" tfm="$2" image="$3" strict="$4" app="$work/$1-$2" id package
  shift 4
  mkdir -p "$app"
  cp "$root/tests/Packaging/$name/$name.csproj" "$root/tests/Packaging/$name/Program.cs" "$work/nuget.config" "$app/"
  if ! NUGET_PACKAGES="$work/packages" dotnet publish "$app" -c Release -r linux-x64 --self-contained \
      -p:ImagesTargetFramework="$tfm" -p:ConsumerTargetFramework="$tfm" -p:Auth0ApiAotVersion="$version" -o "$app/out" >"$app/publish.log" 2>&1; then
    echo "$name $tfm: publish failed:"; tail -n 20 "$app/publish.log"; exit 1
  fi
  packed_installed "$work/packages" "$version" "$packed" "$@" || { echo "$name $tfm: a package was not installed from the packed folder"; exit 1; }
  for id in "$@"; do
    package="$packed/$id.$version.nupkg"
    unzip -p "$package" "$image/$id.dll" | cmp -s - "$app/out/$id.dll" \
      || { echo "$name $tfm: the published $id.dll is not the package's $image image"; exit 1; }
  done
  "$app/out/$name" || { echo "$name $tfm: the app failed with the $image images"; exit 1; }
  DOTNET_JitDisasmSummary=1 "$app/out/$name" >"$app/jit.txt" 2>&1 || { echo "$name $tfm: the diagnostic run failed:"; grep -v "JIT compiled" "$app/jit.txt" | tail -n 5; exit 1; }
  local jitted count=0
  jitted=$(jitted_from_il "$app/jit.txt") || { echo "$name $tfm: no JIT list"; exit 1; }
  [ -z "$jitted" ] || count=$(wc -l <<<"$jitted")
  if [ "$strict" = strict ] && [ "$count" -ne 0 ]; then
    echo "$name $tfm: the JIT compiled $count methods of the packages from IL: an image was not used:"; head -n 10 <<<"$jitted"; exit 1
  fi
  echo "$name $tfm: published the $image images of $*, ran; the JIT compiled $count of their methods from IL"
}

check Images net8.0 runtimes/linux-x64/lib/net8.0 strict Auth0.Api.Aot
check Images net10.0 runtimes/linux-x64/lib/net10.0 strict Auth0.Api.Aot
check Images net9.0 runtimes/linux-x64/lib/net8.0 lenient Auth0.Api.Aot
if [ "$core_only" = false ]; then
  # The add-ons' .NET 8 images on .NET 8: the fresh consumer (tests/Packaging/Consumer) without the Sodium package,
  # which targets net10.0 only: the core, typed claims, AddAuth0Api on Kestrel over loopback, the Redis registration.
  check Consumer net8.0 runtimes/linux-x64/lib/net8.0 strict Auth0.Api.Aot Auth0.Api.Aot.AspNetCore Auth0.Api.Aot.Redis
fi
echo "images ok"
