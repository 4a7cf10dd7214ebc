#!/usr/bin/env bash
# Where the fused network kernel (mlp.cl) stops beating layers as matrix products: FusedSwitchBench
# times both on the seeds' family of networks (20 inputs, two tanh layers of width w, one output) per
# full-batch gradient of 10,000 rows, PyTorch CPU (its tuned environment) on the same networks in the
# same run. The widest width where the fused kernel still wins is the cpu entry's MLP_FUSED_MAX.
#   benchmarks/layers/switch.sh [OUT_DIR]    WIDTHS (8,16,24,32,48,64), REPEATS (7)
# Measure on a quiet machine: no build, no tests, nothing else running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/switch-$(date +%F)}
widths=${WIDTHS:-8,16,24,32,48,64}
mkdir -p "$out"
"$root/benchmarks/setup"
"$root/descent" --version >/dev/null   # builds target/descent.jar when stale
jsig=$(dirname "$(readlink -f "$(command -v java)")")/../lib/libjsig.so
LD_PRELOAD=$jsig java -cp "$root/target/descent.jar" io.descent.bench.FusedSwitchBench 10000 "${REPEATS:-7}" "$widths" \
  > "$out/descent-switch.json"
tun='glibc.malloc.mmap_threshold=2147483647:glibc.malloc.trim_threshold=4294967295'
OPENBLAS_NUM_THREADS=1 GLIBC_TUNABLES=$tun /usr/bin/python3 "$root/benchmarks/layers/switch_torch.py" 2 "$widths" \
  > "$out/torch-switch.json"
/usr/bin/python3 - "$out" <<'PY' | tee "$out/switch.md"
import json, os, sys
out = sys.argv[1]
d = json.load(open(os.path.join(out, "descent-switch.json")))
t = json.load(open(os.path.join(out, "torch-switch.json")))
peer = {(c["precision"], c["width"]): c["median_s"] for c in t["cases"]}
print(f"{d['device']}, tuning {d['tuning']}; {d['rows']} rows, median of {d['repeats']}; PyTorch {t['torch']}, "
      f"{t['threads']} threads, OPENBLAS_NUM_THREADS={t['OPENBLAS_NUM_THREADS']}\n")
print("| precision | width | parameters | fused ms | layers ms | layers / fused | PyTorch ms | PyTorch / fused | PyTorch / layers |")
print("|---|---|---|---|---|---|---|---|---|")
for c in d["cases"]:
    f, l = c["fused_s"]["median_s"], c["layered_s"]["median_s"]
    p = peer[(c["precision"], c["width"])]
    print(f"| {c['precision']} | {c['width']} | {c['parameters']} | {1e3*f:.3f} | {1e3*l:.3f} | {l/f:.2f} | {1e3*p:.3f} | "
          f"{p/f:.2f} | {p/l:.2f} |")
print(f"\nfused faster at every width up to: {d['fused_faster_up_to_width']}")
PY
