#!/usr/bin/env bash
# Issue 15's benchmark (streaming, .npy larger than the heap, two devices): see run.py.
#   benchmarks/scale/run.sh [OUT_DIR]    SCALE_ROWS=2e6,1e7,5e7 REPEATS=3 by default
# Run it on a quiet machine: nothing else (no build, no test suite) while it measures.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/native/setup" >/dev/null
"$root/benchmarks/setup"
exec /usr/bin/python3 "$root/benchmarks/scale/run.py" "$@"
