"""LRE table of descent's Newton runs on NIST StRD linear least squares against numpy.linalg.lstsq.

Usage: lre.py DIR  (DIR holds NAME-OPT-STEPS.json from run.sh). LRE = min over coefficients of
-log10(|b - c| / |c|), c NIST's certified value, within [0, 15] (0: not one correct digit; the
certified values have 15).
"""
import json
import math
import os
import sys

import numpy as np

CERTIFIED = {
    "wampler1": [1, 1, 1, 1, 1, 1],
    "wampler2": [1, 0.1, 0.01, 1e-3, 1e-4, 1e-5],
    "longley": [-3482258.63459582, 15.0618722713733, -0.358191792925910e-01, -2.02022980381683,
                -1.03322686717359, -0.511041056535807e-01, 1829.15146461355],
    "filip": [-1467.48961422980, -2772.17959193342, -2316.37108160893, -1127.97394098372, -354.478233703349,
              -75.1242017393757, -10.8753180355343, -1.06221498588947, -0.670191154593408e-01,
              -0.246781078275479e-02, -0.402962525080404e-04],
}
# issue 22's figures for Newton at f76cb4e's parent (a second full step acted as refinement)
BEFORE = {"wampler1": "9.9", "wampler2": "12.9", "longley": "13.2", "filip": "-"}


def lre(b, c):
    d = min(15.0 if x == y else min(15.0, -math.log10(abs(x - y) / abs(y))) for x, y in zip(b, c))
    return max(0.0, d)


def descent(out, name, opt, steps):
    with open(os.path.join(out, f"{name}-{opt}-{steps}.json")) as f:
        j = json.load(f)
    return lre(list(j["coefficients"].values()), CERTIFIED[name]), j["steps"]


def main():
    out, here = sys.argv[1], os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(here, "..", "..", "src", "test", "resources", "nist")
    print("| data | before | one step | now: newton (steps) | now: damped-newton (steps) | numpy lstsq |")
    print("|---|---|---|---|---|---|")
    for name, cert in CERTIFIED.items():
        d = np.loadtxt(os.path.join(data, name + ".csv"), delimiter=",", skiprows=1)
        x = np.column_stack([np.ones(len(d)), d[:, :-1]])
        peer = lre(np.linalg.lstsq(x, d[:, -1], rcond=None)[0], cert)
        one, _ = descent(out, name, "newton", 1)
        cells = [f"{v:.1f} ({s})" for v, s in (descent(out, name, o, 100) for o in ("newton", "damped-newton"))]
        print(f"| {name} | {BEFORE[name]} | {one:.1f} | {cells[0]} | {cells[1]} | {peer:.1f} |")


if __name__ == "__main__":
    main()
