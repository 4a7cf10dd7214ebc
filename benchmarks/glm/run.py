#!/usr/bin/python3
"""Issue 14's benchmark: logistic regression to its solution, descent against scikit-learn, numpy
IRLS and scipy's Newton-CG; the Hessian assembly against numpy's GEMM; Cholesky against scipy.

    benchmarks/glm/run.sh [OUT_DIR]     GLM_SHAPES=100000x100,100000x500,1000000x100  REPEATS=3
                                        PRECISIONS=fp64,fp32

Each fit starts from zeros and stops once the gradient norm of the mean log-loss is below 1e-6
relative to its norm at zero (descent: --grad-tol; sklearn: its tol, with the reached gradient
norm reported; numpy IRLS and scipy: the same test). descent's time is the run's wall time
(training only: data load and kernel builds are reported apart), and the whole process's time
beside it. Every time is the median of REPEATS after a warm-up, with min and max.
Peers get their best configuration: OpenBLAS on both cores, X in the layout each prefers.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import scipy.linalg
import scipy.optimize

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESCENT = os.path.join(ROOT, "descent")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "benchmarks", "results", "glm-" + time.strftime("%Y%m%d-%H%M"))
SHAPES = [tuple(int(v) for v in s.split("x")) for s in os.environ.get("GLM_SHAPES", "100000x100,100000x500,1000000x100").split(",")]
REPEATS = int(os.environ.get("REPEATS", "3"))
PRECISIONS = os.environ.get("PRECISIONS", "fp64,fp32").split(",")
RTOL = 1e-6
os.makedirs(os.path.join(OUT, "data"), exist_ok=True)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def timed(fn, repeats=REPEATS):
    fn()
    ts, last = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        last = fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return {"seconds_median": ts[len(ts) // 2], "seconds_min": ts[0], "seconds_max": ts[-1]}, last


def data(n, k):
    xp = os.path.join(OUT, "data", f"X{n}x{k}.npy")
    yp = os.path.join(OUT, "data", f"y{n}x{k}.npy")
    if not os.path.exists(xp):
        rng = np.random.default_rng(14)
        X = rng.standard_normal((n, k))
        w = rng.standard_normal(k) / np.sqrt(k)
        p = 1 / (1 + np.exp(-(0.3 + X @ w)))
        y = (rng.random(n) < p).astype(np.float64)
        np.save(xp, X)
        np.save(yp, y)
    return xp, yp


def grad(Xa, y, w):
    z = Xa @ w
    return Xa.T @ (1 / (1 + np.exp(-z)) - y) / len(y)


def irls(Xa, y, g0):
    w = np.zeros(Xa.shape[1])
    for it in range(100):
        z = Xa @ w
        p = 1 / (1 + np.exp(-z))
        g = Xa.T @ (p - y) / len(y)
        if np.linalg.norm(g) <= RTOL * g0:
            return w, it
        h = p * (1 - p)
        H = Xa.T @ (h[:, None] * Xa) / len(y)
        w = w - scipy.linalg.cho_solve(scipy.linalg.cho_factor(H), g)
    return w, 100


def newton_cg(Xa, y, g0):
    n = len(y)

    def f(w):
        z = Xa @ w
        return np.mean(np.logaddexp(0, z) - y * z)

    def jac(w):
        return grad(Xa, y, w)

    def hessp(w, v):
        p = 1 / (1 + np.exp(-(Xa @ w)))
        return Xa.T @ (p * (1 - p) * (Xa @ v)) / n

    r = scipy.optimize.minimize(f, np.zeros(Xa.shape[1]), jac=jac, hessp=hessp, method="Newton-CG",
                                options={"xtol": 1e-12, "maxiter": 200})
    return r.x, r.nit


def descent(xp, yp, optimizer, precision, g0):
    cmd = [DESCENT, "train", "--objective", "logistic", "--npy", xp, "--npy-target", yp, "--optimizer", optimizer,
           "--steps", "500", "--grad-tol", repr(RTOL * g0), "--precision", precision, "--init", "zeros", "--no-stats",
           "--no-progress", "--json"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    total = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}\n{r.stderr}")
    j = json.loads(r.stdout)
    return j, total


def main():
    import sklearn
    from sklearn.linear_model import LogisticRegression
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__, "repeats": REPEATS,
           "glm": [], "hessian": [], "cholesky": None}
    for n, k in SHAPES:
        log(f"logistic {n} x {k}")
        xp, yp = data(n, k)
        X = np.load(xp)
        y = np.load(yp)
        Xa = np.hstack([np.ones((n, 1)), X])
        g0 = float(np.linalg.norm(grad(Xa, y, np.zeros(k + 1))))
        row = {"shape": f"{n} x {k}", "g0": g0, "runs": []}
        ref = None
        for solver in ["newton-cholesky", "lbfgs"]:
            def fit(solver=solver):
                m = LogisticRegression(penalty=None, solver=solver, tol=1e-10, max_iter=1000).fit(X, y)
                return np.concatenate([m.intercept_, m.coef_[0]]), int(m.n_iter_[0])
            t, (w, it) = timed(fit)
            gn = float(np.linalg.norm(grad(Xa, y, w))) / g0
            if solver == "newton-cholesky":
                ref = w
            row["runs"].append({"who": f"sklearn {solver}", "iterations": it, "relative_grad": gn, **t})
            log(" ", row["runs"][-1]["who"], t["seconds_median"], it, gn)
        for name, fn in [("numpy IRLS (Cholesky)", irls), ("scipy Newton-CG", newton_cg)]:
            t, (w, it) = timed(lambda fn=fn: fn(Xa, y, g0))
            gn = float(np.linalg.norm(grad(Xa, y, w))) / g0
            row["runs"].append({"who": name, "iterations": it, "relative_grad": gn,
                                "max_rel_diff_to_sklearn": float(np.max(np.abs(w - ref)) / np.max(np.abs(ref))), **t})
            log(" ", name, t["seconds_median"], it, gn)
        for precision in PRECISIONS:
            for opt in ["newton", "newton-cg", "lbfgs"]:
                walls, totals, j = [], [], None
                descent(xp, yp, opt, precision, g0)  # warm-up (kernel cache)
                for _ in range(REPEATS):
                    j, total = descent(xp, yp, opt, precision, g0)
                    walls.append(j["wall_s"])
                    totals.append(total)
                walls.sort()
                totals.sort()
                w = np.array(j["params"])
                gn = float(np.linalg.norm(grad(Xa, y, w))) / g0
                ph = j["phases"]
                row["runs"].append({"who": f"descent {opt} {precision}", "iterations": j["steps"], "stop": j["stop"],
                                    "relative_grad": gn, "seconds_median": walls[len(walls) // 2],
                                    "seconds_min": walls[0], "seconds_max": walls[-1],
                                    "process_seconds_median": totals[len(totals) // 2], "counts": j["counts"],
                                    "phases": ph, "max_rel_diff_to_sklearn": float(np.max(np.abs(w - ref)) / np.max(np.abs(ref)))})
                log(" ", row["runs"][-1]["who"], walls[len(walls) // 2], j["steps"], j["stop"], gn)
                if opt == "newton" and j["counts"].get("hessian", 0) > 0:
                    per = ph["hessian"]["device_s"] / j["counts"]["hessian"]
                    h = np.random.default_rng(1).random(n)
                    Xc = Xa.astype(np.float64 if precision == "fp64" else np.float32)
                    hc = h.astype(Xc.dtype)
                    tn, _ = timed(lambda: Xc.T @ (hc[:, None] * Xc), repeats=max(REPEATS, 5))
                    out["hessian"].append({"shape": f"{n} x {k + 1}", "precision": precision, "descent_device_s": per,
                                           "numpy_s": tn["seconds_median"],
                                           "gflops_descent": n * (k + 1) * (k + 2) / per * 1e-9,
                                           "gflops_numpy": 2 * n * (k + 1) ** 2 / tn["seconds_median"] * 1e-9})
                    log("  hessian", out["hessian"][-1])
        out["glm"].append(row)
        del X, Xa
    # Cholesky: descent's device factorisation (bench newton) against scipy.linalg.cho_factor
    r = subprocess.run([DESCENT, "bench", "newton", "--rows", "10000", "--repeats", "5", "--max-seconds",
                        os.environ.get("CHOL_MAX_SECONDS", "20")],
                       capture_output=True, text=True)
    bench = json.loads(r.stdout) if r.returncode == 0 else {"error": r.stderr}
    chol = {"descent": bench, "scipy": []}
    for n in [int(v) for v in os.environ.get("CHOL_SIZES", "256,512,1024,2048,4096").split(",")]:
        for dt in [np.float32, np.float64]:
            a = np.random.default_rng(n).standard_normal((n, n)).astype(dt)
            spd = (a @ a.T + n * np.eye(n, dtype=dt)).astype(dt)
            t, _ = timed(lambda: scipy.linalg.cho_factor(spd, lower=True, overwrite_a=False, check_finite=False),
                         repeats=max(REPEATS, 5))
            chol["scipy"].append({"n": n, "dtype": np.dtype(dt).name, **t})
    out["cholesky"] = chol
    with open(os.path.join(OUT, "glm.json"), "w") as f:
        json.dump(out, f, indent=1)
    log("wrote", os.path.join(OUT, "glm.json"))


main()
