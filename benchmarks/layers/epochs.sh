#!/usr/bin/env bash
# Time per epoch of the 784-W-W-10 ReLU softmax network (W = 256 by default) on 60,000 rows
# (MNIST's size), Adam in mini-batches of 128 and 1,024: descent against PyTorch CPU (its tuned
# environment) in the same run.
#   benchmarks/layers/epochs.sh [OUT_DIR]    ROWS (60000), BATCHES (128,1024), REPEATS (3), WIDTH (256)
# Measure on a quiet machine: no build, no tests, nothing else running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/epochs-$(date +%F)}
batches=${BATCHES:-128,1024}
export ROWS=${ROWS:-60000}
export WIDTH=${WIDTH:-256}
mkdir -p "$out"
"$root/benchmarks/setup"
"$root/descent" --version >/dev/null
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
/usr/bin/python3 - "$data" <<'PY'
import os, sys
import numpy as np
out, rows = sys.argv[1], int(os.environ["ROWS"])
rng = np.random.default_rng(0)
x = rng.standard_normal((rows, 784)).astype(np.float32)
y = (x @ rng.standard_normal((784, 10))).argmax(axis=1)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y.astype(np.int64))
np.save(os.path.join(out, "yf.npy"), y.astype(np.float32))
PY
/usr/bin/python3 "$root/benchmarks/layers/descent_epochs.py" "$root" "$data" "$batches" > "$out/descent-epochs.json"
tun='glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=4294967295'
OPENBLAS_NUM_THREADS=1 GLIBC_TUNABLES=$tun /usr/bin/python3 "$root/benchmarks/layers/torch_epochs.py" "$data" 2 "$batches" \
  > "$out/torch-epochs.json"
/usr/bin/python3 - "$out" <<'PY' | tee "$out/epochs.md"
import json, os, sys
out = sys.argv[1]
d = json.load(open(os.path.join(out, "descent-epochs.json")))
t = json.load(open(os.path.join(out, "torch-epochs.json")))
w = int(os.environ.get("WIDTH", "256"))
print(f"784-{w}-{w}-10 ReLU softmax, Adam, {d['rows']} rows, fp32; PyTorch {t['torch']}, {t['threads']} threads, "
      f"OPENBLAS_NUM_THREADS={t['OPENBLAS_NUM_THREADS']}, tuned malloc\n")
print("| batch | steps/epoch | descent ms/step | PyTorch ms/step | descent s/epoch | PyTorch s/epoch | PyTorch / descent |")
print("|---|---|---|---|---|---|---|")
flops_row = 6 * (784 * w + w * w + w * 10)  # forward 2, backward 4 flops per weight and row
for b, c in d["cases"].items():
    p = t["cases"][b]
    gf = flops_row * int(b) / c["step_median_s"] / 1e9
    print(f"| {b} | {c['steps_per_epoch']} | {1e3*c['step_median_s']:.2f} | {1e3*p['step_median_s']:.2f} | "
          f"{c['epoch_median_s']:.2f} | {p['epoch_median_s']:.2f} | {p['epoch_median_s']/c['epoch_median_s']:.2f} "
          f"(descent {gf:.0f} GFLOP/s) |")
PY
