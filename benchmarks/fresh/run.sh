#!/usr/bin/env bash
# The first comparison on a new machine against the tenth (issue 22): `descent compare` (the main
# job, mlp-10k) with an empty PoCL kernel cache, then again with the cache it left, REPEATS times
# each, with the rehearsal (the default) and without it (--rehearse 0, as before issue 22).
# Reports per optimizer the median time to target of the first (fresh) and second (warm) run, and
# their ratio; 1.0 means the first run on a new machine ranks optimizers as a warm one does.
#
#   benchmarks/fresh/run.sh [OUT_DIR]     (default benchmarks/results/fresh-<date>)
#
# Run it on a quiet machine: nothing else running (2 cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/fresh-$(date +%Y-%m-%d)}
repeats=${REPEATS:-5}
args=${COMPARE_ARGS:-}
mkdir -p "$out"
"$root/native/setup" >/dev/null
"$root/descent" --version >/dev/null   # builds the jar outside the timing
for mode in rehearsed unrehearsed; do
  extra=""; [ "$mode" = unrehearsed ] && extra="--rehearse 0"
  for r in $(seq 1 "$repeats"); do
    cache=$(mktemp -d)
    for run in fresh warm; do
      s=$(date +%s.%N)
      # shellcheck disable=SC2086
      POCL_CACHE_DIR=$cache "$root/descent" compare --json --no-progress $args $extra > "$out/$mode-$r-$run.json"
      e=$(date +%s.%N)
      echo "{\"wall_s\": $(echo "$e - $s" | bc)}" > "$out/$mode-$r-$run.wall.json"
      echo "$mode repeat $r $run: $(echo "$e - $s" | bc) s" >&2
    done
    rm -rf "$cache"
  done
done
/usr/bin/python3 "$root/benchmarks/fresh/report.py" "$out" | tee "$out/summary.txt"
