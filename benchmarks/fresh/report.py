"""Summary of benchmarks/fresh/run.sh: per optimizer, the median time to target on a fresh and a warm
PoCL cache, with and without the rehearsal, and the ratio fresh / warm (1.0: no compiler in the timing)."""
import glob
import json
import os
import statistics
import sys

out = sys.argv[1]


def load(mode, run):
    per = {}
    for f in sorted(glob.glob(os.path.join(out, f"{mode}-*-{run}.json"))):
        if f.endswith(".wall.json"):
            continue
        for r in json.load(open(f)):
            per.setdefault(r["spec"], []).append(r)
    return per


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    xs = [x for x in xs if x is not None]
    return (min(xs), max(xs)) if xs else (float("nan"), float("nan"))


for mode in ("rehearsed", "unrehearsed"):
    fresh, warm = load(mode, "fresh"), load(mode, "warm")
    if not fresh:
        continue
    walls = {run: [json.load(open(f))["wall_s"] for f in glob.glob(os.path.join(out, f"{mode}-*-{run}.wall.json"))]
             for run in ("fresh", "warm")}
    print(f"== {mode}: whole command {med(walls['fresh']):.2f} s fresh, {med(walls['warm']):.2f} s warm (median)")
    print(f"{'optimizer':38s} {'fresh s':>9s} {'warm s':>9s} {'ratio':>6s} {'fresh rank':>10s} {'warm rank':>9s}"
          f" {'late shapes':>11s} {'build s fresh':>13s}")
    ff = {k: med([r.get("time_to_target_s") for r in v]) for k, v in fresh.items()}
    ww = {k: med([r.get("time_to_target_s") for r in v]) for k, v in warm.items()}
    rank = lambda d: {k: i + 1 for i, k in enumerate(sorted(d, key=lambda k: (d[k] != d[k], d[k])))}
    rf, rw = rank(ff), rank(ww)
    for k in sorted(ff, key=lambda k: ww.get(k, float("inf"))):
        late = med([r.get("late_launch_shapes") for r in fresh[k]])
        b = med([r.get("build_s") for r in fresh[k]])
        lo, hi = spread([r.get("time_to_target_s") for r in fresh[k]])
        print(f"{k:38s} {ff[k]:9.4f} {ww.get(k, float('nan')):9.4f} {ff[k] / ww[k] if ww.get(k) else float('nan'):6.2f}"
              f" {rf[k]:10d} {rw.get(k, 0):9d} {late:11.0f} {b:13.3f}   (fresh spread {lo:.4f}-{hi:.4f})")
    print()
