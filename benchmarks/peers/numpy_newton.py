"""numpy/scipy peer for Newton's benchmark (NewtonBench): on seed 000's regression (n x k features
plus a column of ones, y = X true_w with no noise) the closed form a Newton step computes,
H = X.T @ X, b = X.T @ y, scipy.linalg.cho_solve(cho_factor(H), b); np.linalg.lstsq (QR/SVD);
and 100 steps of gradient descent (lr 0.02 on the seed's MSE: two passes over X per step), each in
float32 and float64 with its relative coefficient error against true_w. Then scipy.linalg.cho_factor
alone for n = 64 .. 4096 on SPD matrices with eigenvalues 1 .. 100 (as NewtonBench's).

Gives numpy its best configuration as numpy_linear.py does: X in column-major (Fortran) order, and
OpenBLAS with the thread count of OPENBLAS_NUM_THREADS (the caller tries 1 and all cores and keeps
the best). Prints one JSON object: median, min, max, p25, p75 per case.
"""
import argparse
import json
import os
import platform
import time

from timing import timeit

import numpy as np
import scipy
import scipy.linalg




def rel_error(w, truth):
    return float(np.linalg.norm(w.astype(np.float64) - truth) / np.linalg.norm(truth))


def spd(n, kappa, rng):
    """Q diag(1 .. kappa, geometric) Q' with Q from three Householder reflections."""
    m = np.diag(kappa ** (np.arange(n) / max(n - 1, 1)))
    for _ in range(3):
        v = rng.normal(size=n)
        v /= np.linalg.norm(v)
        m = m - 2 * np.outer(v, v @ m)
        m = m - 2 * np.outer(m @ v, v)
    return (m + m.T) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--gd-steps", type=int, default=100)
    ap.add_argument("--sizes", default="64,128,256,512,1024,2048,4096")
    ap.add_argument("--max-seconds", type=float, default=30.0,
                    help="stop growing n for cho_factor once one factorisation takes longer")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n, k = args.rows, args.cols
    true_w = rng.normal(0, 5, (k + 1,))
    x64 = np.asfortranarray(np.concatenate([np.ones((n, 1)), rng.normal(0, 1, (n, k))], axis=1))
    y64 = x64 @ true_w
    out = {"numpy": np.__version__, "scipy": scipy.__version__, "python": platform.python_version(),
           "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", ""),
           "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""), "rows": n, "cols": k + 1, "cases": {}}
    for dtype, name in ((np.float32, "fp32"), (np.float64, "fp64")):
        x = np.asfortranarray(x64.astype(dtype))
        y = y64.astype(dtype)

        def closed_form():
            h = x.T @ x
            b = x.T @ y
            return scipy.linalg.cho_solve(scipy.linalg.cho_factor(h), b)

        def lstsq():
            return np.linalg.lstsq(x, y, rcond=None)[0]

        lr = dtype(0.02)
        scale = dtype(2.0 / n)

        def gd():
            w = np.zeros(k + 1, dtype=dtype)
            for _ in range(args.gd_steps):
                w -= lr * (scale * (x.T @ (x @ w - y)))
            return w

        for case, fn, reps in (("closed_form", closed_form, args.repeats), ("lstsq", lstsq, args.repeats),
                               ("gd%d" % args.gd_steps, gd, max(3, args.repeats // 5))):
            entry = timeit(fn, args.warmup if case != "gd%d" % args.gd_steps else 1, reps)
            entry["relative_error"] = rel_error(fn(), true_w)
            out["cases"][case + "_" + name] = entry
    sizes = [int(s) for s in args.sizes.split(",")]
    for dtype, name in ((np.float32, "fp32"), (np.float64, "fp64")):
        rows = []
        for m in sizes:
            a = spd(m, 100.0, np.random.default_rng(m)).astype(dtype)
            t0 = time.perf_counter()
            scipy.linalg.cho_factor(a)
            once = time.perf_counter() - t0
            entry = timeit(lambda: scipy.linalg.cho_factor(a), 1, 3 if once > 1 else args.repeats)
            entry["n"] = m
            entry["gflops"] = m ** 3 / 3 / entry["median_s"] / 1e9
            rows.append(entry)
            if entry["median_s"] > args.max_seconds:
                break
        out["cases"]["cho_factor_" + name] = rows
    print(json.dumps(out))


if __name__ == "__main__":
    main()
