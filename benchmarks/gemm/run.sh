#!/usr/bin/env bash
# GEMM at the roofline: descent's gemm.cl and CLBlast against numpy (OpenBLAS) in the same run, then
# the X'DX of wide logistic regressions by both of descent's paths against numpy, and the blocked
# Cholesky against scipy's cho_factor.
#   benchmarks/gemm/run.sh [OUT_DIR]    SIZES, PRECISIONS, REPEATS, PEAK_FP32 (see GemmBench.java);
#                                       CHOL_SIZES for the Cholesky part (default: SIZES, else 1024,2048,4096)
# Measure on a quiet machine: no build, no tests, nothing else running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/gemm-$(date +%F)}
mkdir -p "$out"
"$root/benchmarks/setup"
"$root/descent" --version >/dev/null   # builds target/descent.jar when stale
jh=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
LD_PRELOAD="$jh/lib/libjsig.so" java -Xmx12g -cp "$root/target/descent.jar" "$root/benchmarks/gemm/GemmBench.java" \
  > "$out/descent-gemm.jsonl"
/usr/bin/python3 "$root/benchmarks/gemm/gemm_numpy.py" > "$out/numpy-gemm.jsonl"
/usr/bin/python3 "$root/benchmarks/gemm/report.py" "$out/descent-gemm.jsonl" "$out/numpy-gemm.jsonl" | tee "$out/gemm.md"
# X'DX of a wide logistic regression: gemm.cl's SYRK and gram.cl's tiles against numpy's X.T @ (h * X)
LD_PRELOAD="$jh/lib/libjsig.so" java -Xmx12g -cp "$root/target/descent.jar" "$root/benchmarks/gemm/XtdxBench.java" \
  > "$out/descent-xtdx.jsonl"
/usr/bin/python3 "$root/benchmarks/gemm/xtdx_numpy.py" > "$out/numpy-xtdx.jsonl"
/usr/bin/python3 "$root/benchmarks/gemm/report_xtdx.py" "$out/descent-xtdx.jsonl" "$out/numpy-xtdx.jsonl" | tee "$out/xtdx.md"
# The blocked Cholesky with its trailing update by gemm.cl and by cholesky.cl, against scipy's cho_factor
chol_sizes=${CHOL_SIZES:-${SIZES:-1024,2048,4096}}
SIZES=$chol_sizes LD_PRELOAD="$jh/lib/libjsig.so" java -Xmx12g -cp "$root/target/descent.jar" \
  "$root/benchmarks/gemm/CholBench.java" > "$out/descent-chol.jsonl"
SIZES=$chol_sizes /usr/bin/python3 "$root/benchmarks/gemm/chol_scipy.py" > "$out/scipy-chol.jsonl"
/usr/bin/python3 "$root/benchmarks/gemm/report_chol.py" "$out/descent-chol.jsonl" "$out/scipy-chol.jsonl" | tee "$out/chol.md"
