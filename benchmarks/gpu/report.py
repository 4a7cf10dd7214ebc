"""Markdown tables from 'descent bench roofline' JSON files, one column group per device, so a
GPU run sits next to a PoCL run of the same command.

    python3 benchmarks/gpu/report.py gpu-roofline/roofline.json pocl-roofline.json
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from report import load, spread  # noqa: E402  (benchmarks/report.py: the same helpers)


def pct(x):
    return "%.0f%%" % (100 * x)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def report(runs):
    parts = []
    parts.append("## Devices\n\n" + table(["device", "vendor", "driver", "OpenCL", "units", "tuning"], [
        [r["device"], r["vendor"], r["driver"], r["opencl"], r["compute_units"], r["tuning"]] for r in runs]))
    rows = []
    for r in runs:
        c = r["copy"]
        rows.append([r["device"], "copy %d MiB" % (c["bytes"] >> 20), "%.1f GB/s (read + write)" % c["gbps_device"],
                     spread(c), "ok" if c["ok"] else "WRONG"])
        for p in ("fp32", "fp64"):
            g = r.get("gemm_" + p)
            if g:
                rows.append([r["device"], "GEMM %d %s (CLBlast)" % (g["n"], p), "%.0f GFLOP/s" % g["gflops_device"],
                             spread(g), "ok" if g["ok"] else "WRONG"])
    parts.append("## Ceilings\n\n" + table(["device", "what", "rate (device time)", "spread", "check"], rows))
    rows = []
    for r in runs:
        for p in ("fp32", "fp64"):
            lin = r.get("linear_" + p)
            if not lin:
                continue
            for case in ("gradient", "loss", "hessian"):
                c = lin[case + "_" + p]
                rows.append([r["device"], p, case, "%.3f ms" % (1e3 * c["device_median_s"]),
                             "%.1f" % c["gbps_device"], pct(c["share_of_copy_bandwidth"]), pct(c["launch_share"]),
                             spread(c)])
            n = r["newton_step_" + p]
            ph = n["device_median_s_by_phase"]
            rows.append([r["device"], p, "Newton step (%s)" % ", ".join("%s %.2f ms" % (k, 1e3 * v) for k, v in ph.items() if v),
                         "%.3f ms" % (1e3 * n["device_median_s"]), "-", "-",
                         pct(max(0, 1 - n["device_median_s"] / n["wall"]["median_s"])), spread(n["wall"])])
    parts.append("## Linear regression, %s rows x 11\n\nGB/s counts X and y read once; the copy moves each byte twice, "
                 "so a read-only kernel at 100%% of the copy's figure reads at twice the copy's read rate.\n\n"
                 % "{:,}".format(runs[0]["newton_step_fp32"]["rows"]) + table(
        ["device", "precision", "what", "device time", "GB/s", "of copy", "launch share", "spread"], rows))
    rows = []
    for r in runs:
        for p in ("fp32", "fp64"):
            chol = r.get("cholesky_" + p)
            if not chol:
                continue
            for path, entries in chol.items():
                for e in entries:
                    rows.append([r["device"], p, path, e["n"], "%.2f ms" % (1e3 * e["device_median_s"]),
                                 "%.0f" % e["gflops_device"], pct(e["share_of_gemm_rate"]), "ok" if e["ok"] else "FAILED"])
    parts.append("## Cholesky (n^3/3 flops) against the GEMM rate\n\n" + table(
        ["device", "precision", "path", "n", "device time", "GFLOP/s", "of GEMM", "factor"], rows))
    rows = []
    for r in runs:
        for m in r["mlp"]:
            rows.append([r["device"], m["scenario"], m["precision"], m["parameters"], "%.1f" % m["us_per_gradient_wall"],
                         "%.1f" % m["us_per_gradient_device"], pct(m["launch_share"]), pct(m["device_spread"])])
    parts.append("## Full-batch MLP gradient\n\nlaunch share = 1 - device time / wall time (enqueue, launch "
                 "latency, the wait).\n\n" + table(
        ["device", "scenario", "precision", "parameters", "us wall", "us device", "launch share", "spread"], rows))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.stdout.write(report([load(p) for p in sys.argv[1:]]))
