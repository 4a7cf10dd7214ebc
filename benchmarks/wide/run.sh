#!/usr/bin/env bash
# Wide linear/logistic models: descent's fused one-pass kernels against wide.cl's two passes, by
# width, and numpy on the same shapes (see WideBench.java, wide_numpy.py, report.py).
#   benchmarks/wide/run.sh [OUT_DIR]    WIDTHS, VALUES, FUSED_MAX, WARMUP, REPEATS, PRECISIONS as WideBench
# Measure on a quiet machine: no build, no tests, nothing else running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/wide-$(date +%F)}
mkdir -p "$out"
"$root/benchmarks/setup"
"$root/descent" --version >/dev/null   # builds target/descent.jar when stale
jh=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
LD_PRELOAD="$jh/lib/libjsig.so" java -Xmx12g -cp "$root/target/descent.jar" "$root/benchmarks/wide/WideBench.java" \
  > "$out/descent-wide.json"
/usr/bin/python3 "$root/benchmarks/wide/wide_numpy.py" "$out/descent-wide.json" > "$out/numpy-wide.json"
/usr/bin/python3 "$root/benchmarks/wide/report.py" "$out/descent-wide.json" "$out/numpy-wide.json" | tee "$out/wide.md"
