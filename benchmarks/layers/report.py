"""The layered-network table: seconds per full-batch Adam step of a 784-256-256-10 ReLU softmax
network, descent against PyTorch CPU (each of its configurations), and the step's flops against
the physical limit PEAK_FP32 (fp64: half): forward 2 n P and backward 4 n P for P weights."""
import json, os, sys

descent = json.load(open(sys.argv[1]))
peers = [json.load(open(f)) for f in sys.argv[2:]]
peak32 = float(os.environ.get("PEAK_FP32", "160"))
weights = 784 * 256 + 256 * 256 + 256 * 10
print("| precision | who | ms per step (p25-p75) | x best PyTorch | GFLOP/s (6 n P) | share of limit |")
print("|---|---|---|---|---|---|")
for prec in ("fp32", "fp64"):
    rows = peers[0]["cases"][prec]["rows"]
    flops = 6.0 * rows * weights
    peak = peak32 if prec == "fp32" else peak32 / 2
    best = min(p["cases"][prec]["median_s"] for p in peers)
    entries = [("descent", descent["cases"][prec])] + [
        (f"PyTorch {p['torch']}, {p['threads']} threads" + (", OPENBLAS_NUM_THREADS=1 + malloc tunables" if p["GLIBC_TUNABLES"] else ""),
         p["cases"][prec]) for p in peers]
    for who, c in entries:
        print(f"| {prec} | {who} | {c['median_s'] * 1e3:.1f} ({c['p25_s'] * 1e3:.1f}-{c['p75_s'] * 1e3:.1f}) |"
              f" {best / c['median_s']:.2f} | {flops / c['median_s'] / 1e9:.1f} | {flops / c['median_s'] / 1e9 / peak:.0%} |")
