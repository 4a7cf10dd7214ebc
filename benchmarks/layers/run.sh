#!/usr/bin/env bash
# Networks of real size: a 784-256-256-10 ReLU softmax network, full-batch Adam steps, descent
# against PyTorch CPU (defaults, and its best environment of benchmarks/run.sh) in the same run.
#   benchmarks/layers/run.sh [OUT_DIR]    ROWS (10000), REPEATS (5), PEAK_FP32 (160)
# Measure on a quiet machine: no build, no tests, nothing else running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/layers-$(date +%F)}
mkdir -p "$out"
"$root/benchmarks/setup"
"$root/descent" --version >/dev/null   # builds target/descent.jar when stale
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
py=/usr/bin/python3
$py "$root/benchmarks/layers/make_data.py" "$data"
$py "$root/benchmarks/layers/descent_layers.py" "$root" "$data" > "$out/descent-layers.json"
tun='glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=4294967295'
$py "$root/benchmarks/layers/torch_layers.py" "$data" 2 > "$out/torch-default-t2.json"
OPENBLAS_NUM_THREADS=1 GLIBC_TUNABLES=$tun $py "$root/benchmarks/layers/torch_layers.py" "$data" 2 > "$out/torch-tuned-t2.json"
$py "$root/benchmarks/layers/report.py" "$out/descent-layers.json" "$out/torch-default-t2.json" "$out/torch-tuned-t2.json" | tee "$out/layers.md"
