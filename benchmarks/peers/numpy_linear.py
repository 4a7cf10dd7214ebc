"""numpy peer for the linear-regression objective: the two-pass gradient X.T @ (X @ w - y) and the
Hessian X.T @ X on seed 000's data (n x k features plus a column of ones), in float32 and float64.

Gives numpy its best configuration: X in column-major (Fortran) order, which made its gradient
about 2x faster here, and OpenBLAS with the thread count given by --threads (the caller tries 1
and all cores and keeps the best). Prints one JSON object with median and spread per case.
"""
import argparse
import json
import os
import platform
import time

from timing import timeit

import numpy as np




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n, k = args.rows, args.cols
    x64 = np.asfortranarray(np.concatenate([np.ones((n, 1)), rng.normal(0, 1, (n, k))], axis=1))
    true_w = rng.normal(0, 5, (k + 1,))
    y64 = x64 @ true_w
    w64 = rng.normal(0, 1, (k + 1,))
    out = {"numpy": np.__version__, "python": platform.python_version(),
           "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", ""),
           "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""), "rows": n, "cols": k + 1, "cases": {}}
    for dtype, name in ((np.float32, "fp32"), (np.float64, "fp64")):
        x = np.asfortranarray(x64.astype(dtype))
        y = y64.astype(dtype)
        w = w64.astype(dtype)
        scale = dtype(2.0 / n)
        out["cases"]["gradient_" + name] = timeit(lambda: scale * (x.T @ (x @ w - y)), args.warmup, args.repeats)
        out["cases"]["hessian_" + name] = timeit(lambda: scale * (x.T @ x), args.warmup, args.repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
