# Shell functions shared by .ci/run's package steps and tests/Packaging/check-images.sh (sourced, not run): an app
# restored from the packed folder, a check that what it restored is what was packed, and the JIT's list of the
# packages' methods it compiled from IL.

# packed_nuget_config <folder with the packed .nupkg files> <the repository's nuget.config> <output file>: the
# repository's nuget.config (settings; the sources are the machine's) with the packed folder added as a source.
packed_nuget_config() {
  awk -v folder="$1" '/<\/configuration>/ { print "  <packageSources>"; print "    <add key=\"auth0-api-aot-packed\" value=\"" folder "\" />"; print "  </packageSources>" } { print }' \
    "$2" >"$3"
  grep -q "auth0-api-aot-packed" "$3" || { echo "could not add the packed folder to $3"; return 1; }
}

# packed_installed <NUGET_PACKAGES folder> <version> <folder with the packed .nupkg files> <package id>...: each package
# the restore installed is, byte for byte, the one in the packed folder, not a same-version copy from another source.
packed_installed() {
  local folder="$1" version="$2" packed="$3" id lower
  shift 3
  for id in "$@"; do
    lower=$(tr '[:upper:]' '[:lower:]' <<<"$id")
    cmp -s "$folder/$lower/$version/$lower.$version.nupkg" "$packed/$id.$version.nupkg" \
      || { echo "$id $version was not installed from $packed"; return 1; }
  done
}

# jitted_from_il <file with a DOTNET_JitDisasmSummary=1 run's output>: prints the methods of the packages' types
# (Auth0.Api.Aot.*, the add-ons included), and the compiler's helpers instantiated over them, that the JIT compiled from
# IL. Not printed, as the JIT's normal work with ReadyToRun images: tier-1 recompiles of hot precompiled methods, and the
# generic methods an app instantiates over its own claims class (AccessTokenClaims.Read/TryRead<TClaims>, shared over
# reference types as [System.__Canon]), which no image can hold. Fails unless the list names the app's own Main, that
# is unless it was written at all.
jitted_from_il() {
  grep -q "JIT compiled Program:<Main>" "$1" || { echo "the JIT list $1 names none of the app's own methods: was it written?" >&2; return 1; }
  grep -E 'JIT compiled (Auth0\.Api\.Aot\.|<PrivateImplementationDetails>:[^(]*Auth0\.Api\.Aot\.)' "$1" \
    | grep -vE '\[(Instrumented )?Tier1' | grep -vE 'JIT compiled Auth0\.Api\.Aot\.AccessTokenClaims:(Read|TryRead)\[System\.__Canon\]' || true
}
