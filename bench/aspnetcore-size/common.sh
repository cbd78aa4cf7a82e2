# Shared by rps.sh and rps-dpop.sh (sourced, not run).

# utime + stime of a process, in clock ticks (proc(5), fields 14 and 15; the name in field 2 has no spaces here).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The server's CPU time per request, in microseconds: cpu_per_request <ticks before> <ticks after> <requests>.
cpu_per_request() { awk -v t="$(($2 - $1))" -v hz="$(getconf CLK_TCK)" -v n="$3" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}'; }

# A Markdown table from a results file of "round name req/s cpu-us" lines: summarise <file> "<names>" "<references>".
# For each name: the median req/s, its median per-round ratio to each reference (runs next to each other in time share
# the machine's state, so a ratio within a round is steadier than a ratio of medians), the median CPU per request, and
# the first reference's CPU per request over the name's (median of per-round ratios).
summarise() {
  local file="$1" names="$2" references="$3" header="| name | median req/s |" rule="|---|---:|" reference
  for reference in $references; do header="$header vs $reference (median of per-round ratios) |"; rule="$rule---:|"; done
  reference="${references%% *}"
  echo "$header median CPU us/request | $reference's CPU/request over this one's |"
  echo "$rule---:|---:|"
  awk -v order="$names" -v refs="$references" '
    { v[$2] = v[$2] " " $3; r[$1, $2] = $3; c[$2] = c[$2] " " $4; u[$1, $2] = $4; rounds[$1] = 1 }
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
      count = split(order, names, " "); nrefs = split(refs, ref, " ")
      for (k = 1; k <= count; k++) {
        n = names[k]; line = sprintf("| %s | %.0f |", n, median(v[n])); q = ""
        for (m = 1; m <= nrefs; m++) {
          e = ""; for (x in rounds) e = e " " r[x, n] / r[x, ref[m]]
          line = line sprintf(" %.2f |", median(e))
        }
        for (x in rounds) q = q " " u[x, ref[1]] / u[x, n]
        printf "%s %.1f | %.2f |\n", line, median(c[n]), median(q)
      }
    }' "$file"
}
