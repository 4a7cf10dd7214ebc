"""The GEMM table: each engine's rate, its ratio to numpy (OpenBLAS) in the same run, and its share of
the physical limit given as PEAK_FP32 GFLOP/s (fp64: half)."""
import json, os, sys

rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip().startswith("{")]
peak32 = float(os.environ.get("PEAK_FP32", "160"))
by = {(r["engine"], r["precision"], r["n"]): r for r in rows}
print(f"Physical limit taken as {peak32:g} GFLOP/s fp32, {peak32 / 2:g} fp64 (2 cores x 2 FMA units x 8 lanes x 2 flops x 2.5 GHz).\n")
print("| precision | n | engine | GFLOP/s | ms (p25-p75) | x numpy | share of limit |")
print("|---|---|---|---|---|---|---|")
for (engine, p, n), r in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
    peer = by.get(("numpy", p, n))
    peak = peak32 if p == "fp32" else peak32 / 2
    ratio = r["gflops"] / peer["gflops"] if peer else float("nan")
    print(f"| {p} | {n} | {engine} | {r['gflops']:.1f} | {r['median_s'] * 1e3:.1f} ({r['p25_s'] * 1e3:.1f}-{r['p75_s'] * 1e3:.1f})"
          f" | {ratio:.2f} | {r['gflops'] / peak:.0%} |")
