#!/usr/bin/env bash
# Benchmark of the objectives and optimizers (issues 3 and 4): one fused gradient and one Hessian
# assembly of seed 000's 1M x 11 regression, next to numpy's two-pass X.T @ (X @ w - y) and X.T @ X
# on the same data and the machine's read bandwidth; the full-batch gradient of seed 000's MLP next
# to PyTorch's loss.backward(); and each optimizer's step split into gradient and update, next to
# PyTorch's SGD and Adam step().
#
#   benchmarks/run.sh [OUT_DIR]     (default benchmarks/results/<date>)
#
# Each peer runs in every configuration tried here and its best is reported, so ratios do not
# flatter descent. Run it on a quiet machine: the spread columns say how quiet it was.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/benchmarks/results/$(date +%Y%m%d-%H%M)}
mkdir -p "$out"
py=/usr/bin/python3   # Debian's python, where python3-numpy and python3-torch live
"$root/native/setup" >/dev/null
"$root/benchmarks/setup"
repeats=${REPEATS:-30}

echo "== machine" >&2
{
  echo "{"
  echo "\"cpu\": \"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\","
  echo "\"cores\": $(nproc),"
  echo "\"memory_gib\": $(free -g | awk '/^Mem:/{print $2}'),"
  echo "\"kernel\": \"$(uname -r)\","
  echo "\"java\": \"$(java -version 2>&1 | head -1 | sed 's/"//g')\","
  echo "\"pocl\": \"$(dpkg-query -W -f='${Version}' pocl-opencl-icd 2>/dev/null || echo none)\","
  echo "\"date\": \"$(date -u +%Y-%m-%dT%H:%MZ)\""
  echo "}"
} > "$out/machine.json"

echo "== read bandwidth (1 GiB, all cores)" >&2
gcc -O3 -march=native -fopenmp "$root/benchmarks/peers/bandwidth.c" -o "$out/bandwidth"
"$out/bandwidth" 20 > "$out/bandwidth.json"
rm -f "$out/bandwidth"

echo "== descent" >&2
"$root/descent" bench objectives --repeats "$repeats" > "$out/descent.json"

echo "== descent optimizers (gradient vs update per step)" >&2
"$root/descent" bench optimizers --repeats "$repeats" > "$out/descent-optimizers.json"

echo "== descent Newton step and Cholesky" >&2
"$root/descent" bench newton --max-seconds 10 > "$out/descent-newton.json"

echo "== numpy / scipy (OpenBLAS 1 and $(nproc) threads)" >&2
for t in 1 $(nproc); do
  OPENBLAS_NUM_THREADS=$t $py "$root/benchmarks/peers/numpy_linear.py" --repeats "$repeats" > "$out/numpy-t$t.json"
  OPENBLAS_NUM_THREADS=$t $py "$root/benchmarks/peers/numpy_newton.py" --max-seconds 10 > "$out/newton-numpy-t$t.json"
done

echo "== PyTorch (defaults, and OPENBLAS_NUM_THREADS=1 with a malloc that keeps its memory)" >&2
tun='glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=4294967295'
for t in 1 $(nproc); do
  $py "$root/benchmarks/peers/torch_mlp.py" --threads "$t" > "$out/torch-default-t$t.json"
  OPENBLAS_NUM_THREADS=1 GLIBC_TUNABLES=$tun $py "$root/benchmarks/peers/torch_mlp.py" --threads "$t" > "$out/torch-tuned-t$t.json"
done

echo "== seed 000's MLP experiments (issue 6): every optimizer, loss against time and gradients" >&2
"$root/descent" compare --scenario mlp-10k --no-progress --out "$out/compare-mlp-10k" > "$out/compare-mlp-10k.txt"
"$root/descent" compare --scenario mlp-10k --lr 1e-4 --no-progress --out "$out/compare-mlp-10k-lr1e-4" > "$out/compare-mlp-10k-lr1e-4.txt"
"$root/descent" compare --scenario mlp-100k-relu --no-progress --out "$out/compare-mlp-100k-relu" > "$out/compare-mlp-100k-relu.txt"
"$root/descent" compare --scenario linear-1m --precision fp64 --no-progress --out "$out/compare-linear-1m" > "$out/compare-linear-1m.txt"

$py "$root/benchmarks/report.py" objectives "$out" | tee "$out/report.md"
