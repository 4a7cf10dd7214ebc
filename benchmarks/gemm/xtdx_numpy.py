"""numpy's X'DX of a logistic regression, as a user writes it: h = s (1 - s) from z = X w, then
X.T @ (h[:, None] * X) (OpenBLAS GEMM, both cores), on the shapes of XtdxBench and timed alike:
per repeat (t(4) - t(1)) / 3. Also X.T @ X alone, the GEMM it rests on. JSON lines."""
import json, os, sys, time
import numpy as np

shapes = [tuple(int(v) for v in s.split("x")) for s in os.environ.get("SHAPES", "100000x100,100000x500").split(",")]
precisions = os.environ.get("PRECISIONS", "fp32,fp64").split(",")
repeats = int(os.environ.get("REPEATS", "7"))


def hessian(x, w):
    z = x @ w
    s = 1.0 / (1.0 + np.exp(-z))
    h = s * (1 - s)
    return x.T @ (h[:, None] * x)


def run(fn, count):
    t0 = time.perf_counter()
    for _ in range(count):
        fn()
    return time.perf_counter() - t0


for rows, cols in shapes:
    for p in precisions:
        dt = np.float32 if p == "fp32" else np.float64
        rng = np.random.default_rng(rows + cols)
        x = rng.uniform(-1, 1, (rows, cols)).astype(dt)
        w = rng.uniform(-0.05, 0.05, cols).astype(dt)
        for name, fn in (("numpy X.T @ (h * X)", lambda: hessian(x, w)), ("numpy X.T @ X", lambda: x.T @ x)):
            fn()
            per = sorted((run(fn, 4) - run(fn, 1)) / 3 for _ in range(repeats))
            med = per[repeats // 2]
            print(json.dumps({"path": name, "precision": p, "rows": rows, "cols": cols, "median_s": med,
                              "p25_s": per[repeats // 4], "p75_s": per[(3 * repeats) // 4],
                              "gflops": rows * cols * cols / med / 1e9}))
            sys.stdout.flush()
