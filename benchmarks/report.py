"""Turns a benchmark run's JSON files into a markdown report: descent next to the best
configuration of each peer, ratios, spread, and the issue's targets met or missed.

    python3 report.py objectives DIR
"""
import glob
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def ms(s):
    return "%.2f ms" % (1e3 * s)


def spread(c):
    return "%.0f%%" % (100 * (c["p75_s"] - c["p25_s"]) / c["median_s"]) if c["median_s"] else "-"


def best(runs, case):
    """The peer run (file label, case) with the lowest median for `case`."""
    found = [(label, r["cases"][case]) for label, r in runs if case in r["cases"]]
    return min(found, key=lambda x: x[1]["median_s"]) if found else (None, None)


def verdict(ok):
    return "met" if ok else "**missed**"


def objectives(d):
    m = load(os.path.join(d, "machine.json"))
    bw = load(os.path.join(d, "bandwidth.json"))
    ds = load(os.path.join(d, "descent.json"))
    numpy = [(os.path.basename(p)[:-5], load(p)) for p in sorted(glob.glob(os.path.join(d, "numpy-*.json")))]
    torch = [(os.path.basename(p)[:-5], load(p)) for p in sorted(glob.glob(os.path.join(d, "torch-*.json")))]
    out = []
    out.append("Machine: %s, %d cores, %d GiB, kernel %s, %s, PoCL %s; %s; device '%s' (%s)." % (
        m["cpu"], m["cores"], m["memory_gib"], m["kernel"], m["java"], m["pocl"], m["date"], ds["device"],
        ds["driver"]))
    out.append("Read bandwidth (1 GiB, %d threads): best %.1f GB/s, median %.1f GB/s." % (
        bw["threads"], bw["best_gbps"], bw["median_gbps"]))
    if numpy:
        out.append("numpy %s; PyTorch %s." % (numpy[0][1]["numpy"], torch[0][1]["torch"] if torch else "-"))
    out.append("")
    out.append("Seed 000 linear regression, %d x %d (X and y read once per pass):" % (ds["rows"], ds["cols"]))
    out.append("")
    out.append("| work | descent (wall, median) | spread | device | GB/s | numpy best | config | numpy / descent |")
    out.append("|---|---|---|---|---|---|---|---|")
    targets = []
    for prec in ("fp32", "fp64"):
        for kind in ("gradient", "hessian", "loss"):
            c = ds["cases"].get("%s_%s" % (kind, prec))
            if not c:
                continue
            label, peer = best(numpy, "%s_%s" % (kind, prec))
            ratio = peer["median_s"] / c["median_s"] if peer else None
            out.append("| %s %s | %s | %s | %s | %.1f | %s | %s | %s |" % (
                kind, prec, ms(c["median_s"]), spread(c), ms(c["device_median_s"]), c.get("gbps_wall", 0),
                ms(peer["median_s"]) if peer else "-", label or "-", "%.1fx" % ratio if ratio else "-"))
            if kind == "gradient" and ratio:
                share = c["gbps_wall"] / bw["best_gbps"]
                targets.append("fused gradient %s: %.0f%% of best read bandwidth (target >= 60%%: %s), %.1fx numpy "
                               "(target >= 2x: %s)" % (prec, 100 * share, verdict(share >= 0.6), ratio,
                                                       verdict(ratio >= 2)))
            if kind == "hessian" and ratio:
                targets.append("Hessian %s: %.1fx numpy X.T @ X (target >= 3x: %s)" % (prec, ratio, verdict(ratio >= 3)))
    mlp = [k for k in ds["cases"] if k.startswith("mlp_")]
    if mlp or torch:
        out.append("")
        out.append("Seed 000 MLP, 10K x 20, 5 hidden layers of 10, no activation (771 parameters), full batch:")
        out.append("")
        out.append("| work | descent (wall, median) | spread | device | PyTorch best | config | PyTorch / descent |")
        out.append("|---|---|---|---|---|---|---|")
        for prec in ("fp32", "fp64"):
            for kind in ("gradient", "loss"):
                c = ds["cases"].get("mlp_%s_%s" % (kind, prec))
                label, peer = best(torch, "%s_%s" % (kind, prec))
                ratio = peer["median_s"] / c["median_s"] if (peer and c) else None
                out.append("| %s %s | %s | %s | %s | %s | %s | %s |" % (
                    kind, prec, ms(c["median_s"]) if c else "-", spread(c) if c else "-",
                    ms(c["device_median_s"]) if c else "-", ms(peer["median_s"]) if peer else "-", label or "-",
                    "%.1fx" % ratio if ratio else "-"))
                if kind == "gradient" and ratio:
                    targets.append("MLP gradient %s: %.1fx PyTorch (target >= 4x: %s)" % (prec, ratio, verdict(ratio >= 4)))
    opt_file = os.path.join(d, "descent-optimizers.json")
    if os.path.exists(opt_file):
        opt = load(opt_file)
        for prec in ("fp32", "fp64"):
            key = "mlp_" + prec
            if key not in opt:
                continue
            out.append("")
            out.append("Optimizer step on seed 000's MLP (%s), device time per step, median:" % prec)
            out.append("")
            out.append("| optimizer | gradient | update | update share | step wall | PyTorch backward | PyTorch step() | PyTorch step share |")
            out.append("|---|---|---|---|---|---|---|---|")
            for name, o in opt[key]["optimizers"].items():
                g = o["gradient_device"]["median_s"]
                u = o["update_device"]["median_s"]
                tname = {"gd": "sgd", "adam": "adam"}.get(o["optimizer"])
                tl, tg = best(torch, "gradient_" + prec)
                ts = best(torch, "%s_step_%s" % (tname, prec))[1] if tname else None
                tshare = ("%.1f%%" % (100 * ts["median_s"] / (tg["median_s"] + ts["median_s"]))) if (tg and ts) else "-"
                out.append("| %s | %s | %.1f us | %.2f%% | %s | %s | %s | %s |" % (
                    name, ms(g), 1e6 * u, 100 * u / (g + u), ms(o["step_wall"]["median_s"]),
                    ms(tg["median_s"]) if tg else "-", ("%.1f us" % (1e6 * ts["median_s"])) if ts else "-", tshare))
                if o["optimizer"] == "adam" and prec == "fp32":
                    share = u / (g + u)
                    targets.append("Adam's update on the MLP: %.2f%% of a step (target < 2%%: %s)" % (
                        100 * share, verdict(share < 0.02)))
    newton_file = os.path.join(d, "descent-newton.json")
    if os.path.exists(newton_file):
        nw = load(newton_file)
        peers = [(os.path.basename(p)[:-5], load(p)) for p in sorted(glob.glob(os.path.join(d, "newton-numpy-*.json")))]
        out.append("")
        out.append("One Newton step on seed 000's %d x 11 regression (from zero to the solution), and its peers:" % ds["rows"])
        out.append("")
        out.append("| precision | descent wall | gradient | hessian | solve | error | closed form (numpy+scipy) | its error "
                   "| lstsq | 100 GD steps | closed form / descent |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for key in ("newton_step_fp32", "newton_step_fp32_refined", "newton_step_fp64"):
            c = nw.get(key)
            if not c:
                continue
            prec = "fp64" if "fp64" in key else "fp32"
            ph = c["device_median_s_by_phase"]
            cl_label, cf = best(peers, "closed_form_" + prec)
            _, ls = best(peers, "lstsq_" + prec)
            gd = [(l, r["cases"][k]) for l, r in peers for k in r["cases"] if k.startswith("gd") and k.endswith(prec)]
            gd = min(gd, key=lambda x: x[1]["median_s"])[1] if gd else None
            ratio = cf["median_s"] / c["wall"]["median_s"] if cf else None
            out.append("| %s%s | %s | %s | %s | %s | %.1e | %s | %.1e | %s | %s | %s |" % (
                prec, " refined" if c.get("refine") else "", ms(c["wall"]["median_s"]), ms(ph["gradient"]),
                ms(ph["hessian"]), ms(ph["solve"]), c["relative_error"], ms(cf["median_s"]) if cf else "-",
                cf["relative_error"] if cf else float("nan"), ms(ls["median_s"]) if ls else "-",
                ms(gd["median_s"]) if gd else "-", "%.1fx" % ratio if ratio else "-"))
            if ratio and not c.get("refine"):
                targets.append("Newton step %s: %.1fx numpy's closed form (target >= 3x: %s), error %.1e vs %.1e" % (
                    prec, ratio, verdict(ratio >= 3), c["relative_error"], cf["relative_error"]))
        for prec in ("fp32", "fp64"):
            ch = nw.get("cholesky_" + prec)
            if not ch:
                continue
            _, sc = best(peers, "cho_factor_" + prec) if False else (None, None)
            sc_rows = {}
            for l, r in peers:
                for row in r["cases"].get("cho_factor_" + prec, []):
                    if row["n"] not in sc_rows or row["median_s"] < sc_rows[row["n"]]["median_s"]:
                        sc_rows[row["n"]] = row
            out.append("")
            out.append("Cholesky factorisation, %s, wall median (device median):" % prec)
            out.append("")
            paths = list(ch.keys())
            out.append("| n | " + " | ".join(paths) + " | scipy cho_factor |")
            out.append("|---" * (len(paths) + 2) + "|")
            sizes = sorted({row["n"] for rows in ch.values() for row in rows})
            for n in sizes:
                cells = []
                for pth in paths:
                    row = next((r for r in ch[pth] if r["n"] == n), None)
                    cells.append("%s (%s)" % (ms(row["median_s"]), ms(row["device_median_s"])) if row else "-")
                sc = sc_rows.get(n)
                out.append("| %d | %s | %s |" % (n, " | ".join(cells), ms(sc["median_s"]) if sc else "-"))
    for name in ("compare-mlp-10k", "compare-mlp-10k-lr1e-4", "compare-mlp-100k-relu", "compare-linear-1m"):
        f = os.path.join(d, name + ".txt")
        if os.path.exists(f):
            out.append("")
            out.append("`descent %s` (charts in %s/):" % (name.replace("-", " ", 1).replace("compare ", "compare --scenario "), name))
            out.append("")
            out.append("```")
            out.append(open(f).read().rstrip())
            out.append("```")
    out.append("")
    out.append("Targets:")
    out.append("")
    for t in targets:
        out.append("- " + t)
    out.append("")
    out.append("Configs: numpy-tN = OPENBLAS_NUM_THREADS=N, X column-major; torch-default-tN = torch.set_num_threads(N) "
               "with default environment; torch-tuned-tN = the same with OPENBLAS_NUM_THREADS=1 and GLIBC_TUNABLES "
               "mmap/trim thresholds raised. Spread = interquartile range / median.")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "objectives":
        sys.exit("usage: report.py objectives DIR")
    print(objectives(sys.argv[2]))
