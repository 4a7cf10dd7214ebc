"""Markdown tables from 'descent bench roofline' JSON files, one column group per device, so a
GPU run sits next to a PoCL run of the same command; with --peer, the PyTorch peer's JSON
(torch_roofline.py) of the first run, as ratios.

    python3 benchmarks/gpu/report.py [--peer gpu-roofline/torch-roofline.json] gpu-roofline/roofline.json pocl-roofline.json
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
            n = r.get("newton_step_" + p)
            if not n:
                continue
            ph = n["device_median_s_by_phase"]
            rows.append([r["device"], p, "Newton step (%s)" % ", ".join("%s %.2f ms" % (k, 1e3 * v) for k, v in ph.items() if v),
                         "%.3f ms" % (1e3 * n["device_median_s"]), "-", "-",
                         pct(max(0, 1 - n["device_median_s"] / n["wall"]["median_s"])), spread(n["wall"])])
    parts.append("## Linear regression, %s rows x 11\n\nGB/s counts X and y read once; the copy moves each byte twice, "
                 "so a read-only kernel at 100%% of the copy's figure reads at twice the copy's read rate.\n\n"
                 % "{:,}".format(runs[0].get("newton_step_fp32", {}).get("rows", 0)) + table(
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
        for m in r.get("mlp", []):
            rows.append([r["device"], m["scenario"], m["precision"], m["parameters"], "%.1f" % m["us_per_gradient_wall"],
                         "%.1f" % m["us_per_gradient_device"], pct(m["launch_share"]), pct(m["device_spread"])])
    parts.append("## Full-batch MLP gradient\n\nlaunch share = 1 - device time / wall time (enqueue, launch "
                 "latency, the wait).\n\n" + table(
        ["device", "scenario", "precision", "parameters", "us wall", "us device", "launch share", "spread"], rows))
    return "\n\n".join(parts) + "\n"


def ratio(peer_s, ours_s):
    return "%.2fx" % (peer_s / ours_s) if ours_s else "-"


def against(r, peer):
    """descent's run against the peer's same work: peer time / descent time (> 1: descent is faster)."""
    rows = [["copy", "%.1f GB/s" % r["copy"]["gbps_device"], "%.1f GB/s" % peer["copy"]["gbps_device"],
             ratio(r["copy"]["device_median_s"], peer["copy"]["device_median_s"]) + " (rate ratio)"]]
    for p in ("fp32", "fp64"):
        if "gemm_" + p in r and "gemm_" + p in peer:
            rows.append(["GEMM %d %s" % (r["gemm_" + p]["n"], p), "%.0f GFLOP/s (CLBlast)" % r["gemm_" + p]["gflops_device"],
                         "%.0f GFLOP/s" % peer["gemm_" + p]["gflops_device"],
                         "%.2fx (rate ratio)" % (r["gemm_" + p]["gflops_device"] / peer["gemm_" + p]["gflops_device"])])
    for p in ("fp32", "fp64"):
        lin, plin = r.get("linear_" + p), peer.get("linear_" + p)
        if not lin or not plin:
            continue
        for case in ("gradient", "loss", "hessian"):
            ours, theirs = lin[case + "_" + p], plin[case]
            rows.append(["%s %s (wall)" % (case, p), "%.3f ms" % (1e3 * ours["median_s"]),
                         "%.3f ms (%s)" % (1e3 * theirs["median_s"], theirs["config"]), ratio(theirs["median_s"], ours["median_s"])])
        if "newton_step_" + p not in r or "cholesky_" + p not in r or "cholesky_" + p not in peer:
            continue
        ours, theirs = r["newton_step_" + p]["wall"], plin["newton_step"]
        rows.append(["Newton step %s (wall)" % p, "%.3f ms" % (1e3 * ours["median_s"]), "%.3f ms (closed form)" % (1e3 * theirs["median_s"]),
                     ratio(theirs["median_s"], ours["median_s"])])
        ours_chol = {}
        for entries in r["cholesky_" + p].values():
            for e in entries:
                if e["ok"] and (e["n"] not in ours_chol or e["median_s"] < ours_chol[e["n"]]["median_s"]):
                    ours_chol[e["n"]] = e
        for e in peer["cholesky_" + p]:
            if e["n"] in ours_chol:
                o = ours_chol[e["n"]]
                rows.append(["Cholesky n=%d %s (wall)" % (e["n"], p), "%.2f ms" % (1e3 * o["median_s"]),
                             "%.2f ms" % (1e3 * e["median_s"]), ratio(e["median_s"], o["median_s"])])
    for m, pm in zip(r.get("mlp", []), peer.get("mlp", [])):
        rows.append(["%s %s gradient (wall)" % (m["scenario"], m["precision"]), "%.1f us" % m["us_per_gradient_wall"],
                     "%.1f us" % pm["us_per_gradient_wall"], ratio(pm["us_per_gradient_wall"], m["us_per_gradient_wall"])])
    return ("## Against %s on the same device (%s)\n\nratio = the peer's time / descent's (above 1: descent is "
            "faster); for rates, descent's rate / the peer's.\n\n" % (peer["peer"], peer["device"])
            + table(["work", "descent", peer["peer"], "ratio"], rows) + "\n")


if __name__ == "__main__":
    args = sys.argv[1:]
    peer = None
    if args[:1] == ["--peer"]:
        peer, args = load(args[1]), args[2:]
    if not args:
        sys.exit(__doc__)
    runs = [load(p) for p in args]
    sys.stdout.write(report(runs))
    if peer:
        sys.stdout.write("\n" + against(runs[0], peer))
