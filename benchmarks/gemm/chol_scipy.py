"""scipy.linalg.cho_factor (LAPACK potrf on OpenBLAS, both cores) on SPD matrices of CholBench's
sizes, timed alike: per repeat (t(4) - t(1)) / 3, each factorisation of a fresh copy made outside
the timing (overwrite_a=True, check_finite=False: its fastest call). JSON lines."""
import json, os, sys, time
import numpy as np
import scipy.linalg as sl

sizes = [int(s) for s in os.environ.get("SIZES", "1024,2048,4096").split(",")]
precisions = os.environ.get("PRECISIONS", "fp32,fp64").split(",")
repeats = int(os.environ.get("REPEATS", "7"))

for n in sizes:
    rng = np.random.default_rng(n)
    g = rng.standard_normal((n, n))
    a64 = g @ g.T / n + np.eye(n)
    for p in precisions:
        a = a64.astype(np.float32 if p == "fp32" else np.float64)

        def run(count):
            cs = [np.array(a, order="F") for _ in range(count)]
            t0 = time.perf_counter()
            for c in cs:
                sl.cho_factor(c, overwrite_a=True, check_finite=False)
            return time.perf_counter() - t0

        run(1)
        reps = max(3, repeats // 2) if n >= 4096 else repeats
        per = sorted((run(4) - run(1)) / 3 for _ in range(reps))
        med = per[reps // 2]
        print(json.dumps({"path": "scipy cho_factor", "precision": p, "n": n, "median_s": med, "p25_s": per[reps // 4],
                          "p75_s": per[(3 * reps) // 4], "gflops": n ** 3 / 3 / med / 1e9}))
        sys.stdout.flush()
