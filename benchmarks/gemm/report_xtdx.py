"""The X'DX table: each path's time, its ratio to numpy's X.T @ (h * X) of the same shape and
precision in the same run, and its rate in the flops a symmetric result needs: the upper triangle,
p^2 / 2 entries of n multiply-adds, n p^2 flops (numpy's GEMM computes both triangles, twice that,
in the time shown). Share of the physical limit PEAK_FP32 (fp64: half) in the same flops."""
import json, os, sys

rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip().startswith("{")]
peak32 = float(os.environ.get("PEAK_FP32", "160"))
by = {(r["path"], r["precision"], r["rows"], r["cols"]): r for r in rows}
print("| precision | rows x cols | path | ms (p25-p75) | x numpy X.T @ (h * X) | GFLOP/s (n p^2 flops) | share of limit |")
print("|---|---|---|---|---|---|---|")
for (path, p, n, c), r in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][3], kv[0][0])):
    peer = by.get(("numpy X.T @ (h * X)", p, n, c))
    peak = peak32 if p == "fp32" else peak32 / 2
    ratio = peer["median_s"] / r["median_s"] if peer else float("nan")
    gf = n * c * c / r["median_s"] / 1e9
    print(f"| {p} | {n} x {c} | {path} | {r['median_s'] * 1e3:.2f} ({r['p25_s'] * 1e3:.2f}-{r['p75_s'] * 1e3:.2f}) | {ratio:.2f} |"
          f" {gf:.1f} | {gf / peak:.0%} |")
