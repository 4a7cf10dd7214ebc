"""The peer of WideBench: the logistic loss + gradient and the Hessian-vector product with numpy
(OpenBLAS GEMV on every core), on the shapes WideBench measured, float32 and float64.

    python3 benchmarks/wide/wide_numpy.py descent-wide.json > numpy-wide.json

X is C-ordered (n, k), the layout in which both X @ w and X.T @ r are one BLAS GEMV each; the
intercept is a separate scalar, as in descent."""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from timing import timeit  # noqa: E402


def main():
    src = json.load(open(sys.argv[1]))
    warmup, repeats = int(os.environ.get("WARMUP", 3)), int(os.environ.get("REPEATS", 15))
    out = {"numpy": np.__version__, "cases": []}
    for case in src["cases"]:
        n, k = case["rows"], case["features"]
        dt = np.float32 if case["precision"] == "fp32" else np.float64
        rng = np.random.default_rng(7)
        X = rng.standard_normal((n, k)).astype(dt)
        y = (rng.random(n) < 0.5).astype(dt)
        w = rng.uniform(-0.01, 0.01, k).astype(dt)
        b = dt(0.0)
        v = w.copy()

        def gradient():
            z = X @ w + b
            s = 1 / (1 + np.exp(-z))
            loss = np.mean(np.logaddexp(0, z) - y * z)
            r = s - y
            return loss, X.T @ r / n, r.mean()

        def hessian_vector():
            z = X @ w + b
            s = 1 / (1 + np.exp(-z))
            q = (s * (1 - s)) * (X @ v + b)
            return X.T @ q / n, q.mean()

        out["cases"].append({"precision": case["precision"], "features": k, "rows": n,
                             "gradient": timeit(gradient, warmup, repeats),
                             "hessian_vector": timeit(hessian_vector, warmup, repeats)})
        print("numpy: %s k=%d done" % (case["precision"], k), file=sys.stderr)
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
