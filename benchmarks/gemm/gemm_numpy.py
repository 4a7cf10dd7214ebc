"""numpy's matmul (OpenBLAS, all cores) on the shapes of GemmBench, timed the same way: per repeat,
SHORT and LONG back-to-back products into a preallocated output, per product (t_long - t_short) /
(LONG - SHORT). Prints JSON lines."""
import json, os, sys, time
import numpy as np

SHORT, LONG = 1, 4
sizes = [int(s) for s in os.environ.get("SIZES", "512,1024,2048,4096").split(",")]
precisions = os.environ.get("PRECISIONS", "fp32,fp64").split(",")
repeats = int(os.environ.get("REPEATS", "7"))


def run(a, b, c, count):
    t0 = time.perf_counter()
    for _ in range(count):
        np.matmul(a, b, out=c)
    return time.perf_counter() - t0


for p in precisions:
    dt = np.float32 if p == "fp32" else np.float64
    for n in sizes:
        rng = np.random.default_rng(n)
        a = rng.uniform(-1, 1, (n, n)).astype(dt)
        b = a.copy()
        c = np.empty((n, n), dt)
        reps = max(3, repeats // 2) if n >= 4096 else repeats
        run(a, b, c, 1)
        per = sorted((run(a, b, c, LONG) - run(a, b, c, SHORT)) / (LONG - SHORT) for _ in range(reps))
        med = per[reps // 2]
        print(json.dumps({"engine": "numpy", "precision": p, "n": n, "median_s": med, "p25_s": per[reps // 4],
                          "p75_s": per[(3 * reps) // 4], "repeats": reps, "gflops": 2.0 * n ** 3 / med / 1e9,
                          "numpy": np.__version__}))
        sys.stdout.flush()
