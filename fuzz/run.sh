#!/usr/bin/env bash
# fuzz/run.sh <target|all> <seconds>: fuzzes one target (or each in turn) with afl-fuzz for <seconds> each.
#   1. publishes fuzz/Auth0.Api.Aot.Fuzz to artifacts/fuzz/bin and instruments the published Auth0.Api.Aot.dll there
#      with the sharpfuzz tool (.config/dotnet-tools.json);
#   2. replays the seed corpus (fuzz/corpus/<target>) and the recorded findings (fuzz/findings/<target>, if any) once,
#      outside afl-fuzz: a regression fails here, with its stack trace;
#   3. runs afl-fuzz (-V <seconds>) with the seeds and dictionaries, its output in artifacts/fuzz/out/<target>;
#   4. replays every crash and hang it saved, and prints the figures (executions, exec/s, findings).
# Exits non-zero on a crash (an escaped exception or a broken invariant), and on a hang that still hangs when replayed;
# a hang that replays at once was the machine stalling, not the target, and is only reported.
# Needs afl-fuzz (Debian: afl++) and the .NET SDK; .ci/run installs afl++ when it is missing.
# Environment: FUZZ_SEED (afl-fuzz -s, default 1), FUZZ_TIMEOUT_MS (afl-fuzz -t, default 5000).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
  echo "usage: fuzz/run.sh <target|all> <seconds>" >&2
  exit 2
fi

requested=$1
seconds=$2
seed=${FUZZ_SEED:-1}
timeout_ms=${FUZZ_TIMEOUT_MS:-5000}
artifacts=artifacts/fuzz
bin=$artifacts/bin
fuzz_dll=$bin/Auth0.Api.Aot.Fuzz.dll

command -v afl-fuzz >/dev/null 2>&1 || { echo "afl-fuzz is not installed (Debian: apt-get install afl++)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== fuzz: build and instrument"
# A fresh publish each time: sharpfuzz rewrites the assembly in place and refuses one it has already instrumented.
rm -rf "$bin"
mkdir -p "$artifacts"
set +e
dotnet publish fuzz/Auth0.Api.Aot.Fuzz -c Release -o "$bin" -nologo -v minimal >"$artifacts/publish.log" 2>&1
publish_status=$?
set -e
if [ "$publish_status" -ne 0 ]; then cat "$artifacts/publish.log"; echo "fuzz project build failed"; exit 1; fi
if grep -qE ": warning [A-Z]+[0-9]+" "$artifacts/publish.log"; then grep -E ": warning" "$artifacts/publish.log"; echo "fuzz project build produced warnings"; exit 1; fi
dotnet tool restore >/dev/null
dotnet tool run sharpfuzz "$bin/Auth0.Api.Aot.dll"

if [ "$requested" = all ]; then
  mapfile -t targets < <(dotnet "$fuzz_dll" list)
else
  dotnet "$fuzz_dll" list | grep -qx -- "$requested" || { echo "unknown target '$requested'; targets: $(dotnet "$fuzz_dll" list | tr '\n' ' ')" >&2; exit 2; }
  targets=("$requested")
fi

# afl-fuzz runs `dotnet`, which is not instrumented itself (the library it loads is); no status screen in logs; a piped
# core_pattern, shared cores and CPU scaling are this machine's business, not findings.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
export AFL_FORKSRV_INIT_TMOUT=60000 AFL_NO_CRASH_README=1 AFL_IGNORE_UNKNOWN_ENVS=1

status=0
summary=()
for target in "${targets[@]}"; do
  echo "== fuzz $target: replay of the seeds and recorded findings"
  replay=(fuzz/corpus/"$target")
  [ -d fuzz/findings/"$target" ] && replay+=(fuzz/findings/"$target")
  dotnet "$fuzz_dll" "$target" "${replay[@]}" || { echo "fuzz $target: a seed or recorded finding fails"; status=1; continue; }

  dictionaries=(-x fuzz/dictionaries/jose.dict)
  [ "$target" = htu ] && dictionaries=(-x fuzz/dictionaries/url.dict)

  out=$artifacts/out/$target
  rm -rf "$out"
  mkdir -p "$out"
  echo "== fuzz $target: afl-fuzz for ${seconds} s"
  set +e
  afl-fuzz -i fuzz/corpus/"$target" -o "$out" -V "$seconds" -s "$seed" -t "$timeout_ms" -m none "${dictionaries[@]}" \
    -- "$(command -v dotnet)" "$fuzz_dll" "$target" >"$out/afl.log" 2>&1
  afl_status=$?
  set -e
  stats=$out/default/fuzzer_stats
  if [ "$afl_status" -ne 0 ] || [ ! -f "$stats" ]; then
    echo "fuzz $target: afl-fuzz failed (exit $afl_status); its log:"
    tail -n 40 "$out/afl.log"
    status=1
    continue
  fi

  stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$out/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
  line="$target: $(stat execs_done) executions in $(( $(stat last_update) - $(stat start_time) )) s, $(stat execs_per_sec) exec/s, corpus $(stat corpus_count), coverage $(stat bitmap_cvg), crashes $crashes, hangs $hangs"
  echo "fuzz $line"
  summary+=("$line")

  if [ "$crashes" -gt 0 ]; then
    echo "fuzz $target: FINDINGS: afl-fuzz saved $crashes crashing input(s) in $out/default/crashes; replayed:"
    dotnet "$fuzz_dll" "$target" "$out/default/crashes" || true
    status=1
  fi

  if [ "$hangs" -gt 0 ]; then
    echo "fuzz $target: afl-fuzz saved $hangs hang(s); replaying each with a ${timeout_ms} ms x 4 limit"
    for hang in "$out"/default/hangs/id:*; do
      if ! timeout "$(( timeout_ms * 4 / 1000 + 1 ))" dotnet "$fuzz_dll" "$target" "$hang"; then
        echo "fuzz $target: FINDING: $hang hangs or fails when replayed"
        status=1
      fi
    done
  fi
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit "$status"
