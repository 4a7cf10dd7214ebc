#!/usr/bin/env bash
# Issue 13's race: descent's reduced race, then the PyTorch peer on the same workloads and grid.
#   benchmarks/race/run.sh [OUT_DIR]     Measure on a quiet machine (about 30 minutes).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/race-$(date +%F)}
"$root/benchmarks/setup"
"$root/descent" race --scenarios mlp-10k,mlp-100k-relu,linear-1m \
  --optimizers gd,momentum,adam,keepstepping,lbfgs,newton-cg --tune lr=1e-4,1e-3,1e-2,1e-1 \
  --repeats 2 --trial-budget 10 --budget 1200 --out "$out" --no-progress
# PyTorch in its best configuration here (benchmarks/run.sh found it): OpenBLAS single-threaded,
# glibc malloc keeping its memory, torch on both cores
OPENBLAS_NUM_THREADS=1 GLIBC_TUNABLES='glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=4294967295' \
  /usr/bin/python3 "$root/benchmarks/race/torch_race.py" "$out/torch_race.json" >/dev/null
