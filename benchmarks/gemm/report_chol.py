"""The Cholesky table: time, n^3/3 rate, ratio to scipy's cho_factor in the same run, and the share
of the physical limit PEAK_FP32 (fp64: half)."""
import json, os, sys

rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip().startswith("{")]
peak32 = float(os.environ.get("PEAK_FP32", "160"))
by = {(r["path"], r["precision"], r["n"]): r for r in rows}
print("| precision | n | path | ms (p25-p75) | GFLOP/s | x scipy | share of limit |")
print("|---|---|---|---|---|---|---|")
for (path, p, n), r in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
    peer = by.get(("scipy cho_factor", p, n))
    peak = peak32 if p == "fp32" else peak32 / 2
    ratio = peer["median_s"] / r["median_s"] if peer else float("nan")
    print(f"| {p} | {n} | {path} | {r['median_s'] * 1e3:.1f} ({r['p25_s'] * 1e3:.1f}-{r['p75_s'] * 1e3:.1f}) |"
          f" {r['gflops']:.1f} | {ratio:.2f} | {r['gflops'] / peak:.0%} |")
