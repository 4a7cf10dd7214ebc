#!/usr/bin/python3
"""Issue 15's benchmark: data larger than the device or the heap, and two devices in one run.

    benchmarks/scale/run.sh [OUT_DIR]      (after ./descent builds; uses Debian's python3-numpy)

1. Streaming: a gradient-descent pass and a Newton step over N x 11 float32 rows (N = 2M, 10M,
   50M by default, SCALE_ROWS to change), from .npy files in C order and in Fortran order, with
   --device-memory 64M (streamed) and without (the rows held on the device). A pass's steady-state
   time is the difference of two run lengths (5 and 15 steps) over 10; each is repeated and the
   median and spread reported. Each pass is set against bytes / upload_gbs (bench roofline's link)
   and against numpy on the same memory-mapped file, in chunks (its best: one BLAS call per chunk,
   OpenBLAS on every core).
2. A .npy file 1.5x the JVM's heap (-Xmx) trained with gd: time and peak RSS.
3. Data parallel: two PoCL devices (POCL_DEVICES="pthread pthread") against one, the same rows:
   the losses must agree; on two cores the times are a correctness run, and the report gives a
   model of two GPUs from the measured costs.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESCENT = os.path.join(ROOT, "descent")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "benchmarks", "results", "scale-" + time.strftime("%Y%m%d-%H%M"))
ROWS = [int(float(r)) for r in os.environ.get("SCALE_ROWS", "2e6,1e7,5e7").split(",")]
REPEATS = int(os.environ.get("REPEATS", "3"))
COLS = 11
os.makedirs(OUT, exist_ok=True)
DATA = os.path.join(OUT, "data")
os.makedirs(DATA, exist_ok=True)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def write_npy(n):
    """X (n x 11: a column of ones and 10 normals) in C and in Fortran order, y = X w + noise, float32."""
    paths = {o: os.path.join(DATA, f"X{n}-{o}.npy") for o in "CF"}
    y_path = os.path.join(DATA, f"y{n}.npy")
    if all(os.path.exists(p) for p in list(paths.values()) + [y_path]):
        return paths, y_path
    rng = np.random.default_rng(15)
    w = rng.standard_normal(COLS).astype(np.float32)
    xc = np.lib.format.open_memmap(paths["C"], mode="w+", dtype=np.float32, shape=(n, COLS))
    xf = np.lib.format.open_memmap(paths["F"], mode="w+", dtype=np.float32, shape=(n, COLS), fortran_order=True)
    y = np.lib.format.open_memmap(y_path, mode="w+", dtype=np.float32, shape=(n,))
    step = 1 << 20
    for a in range(0, n, step):
        b = min(n, a + step)
        block = rng.standard_normal((b - a, COLS)).astype(np.float32)
        block[:, 0] = 1
        xc[a:b] = block
        xf[a:b] = block
        y[a:b] = block @ w + np.float32(0.1) * rng.standard_normal(b - a).astype(np.float32)
    for m in (xc, xf, y):
        m.flush()
    del xc, xf, y
    return paths, y_path


def descent(args, env=None, java_opts=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    if java_opts:
        e["DESCENT_JAVA_OPTS"] = java_opts
    t0 = time.perf_counter()
    p = subprocess.run([DESCENT] + args + ["--json", "--no-progress"], capture_output=True, text=True, env=e)
    if p.returncode != 0:
        raise RuntimeError(" ".join(args) + ": " + p.stderr.strip())
    d = json.loads(p.stdout)
    d["_process_s"] = time.perf_counter() - t0
    d["_stderr"] = p.stderr
    return d


def spread(xs):
    m = statistics.median(xs)
    return {"median": m, "min": min(xs), "max": max(xs), "spread": (max(xs) - min(xs)) / m if m else 0, "runs": xs}


def per_pass(base, short=5, long=15):
    """Steady-state seconds per GD pass: (wall(long) - wall(short)) / (long - short), repeated."""
    xs, transfer, notes = [], [], ""
    for _ in range(REPEATS):
        a = descent(base + ["--optimizer", "gd:lr=0.1", "--steps", str(short)])
        b = descent(base + ["--optimizer", "gd:lr=0.1", "--steps", str(long)])
        xs.append((b["wall_s"] - a["wall_s"]) / (long - short))
        transfer.append((b["phases"]["transfer"]["device_s"] - a["phases"]["transfer"]["device_s"]) / (long - short))
        notes = b["_stderr"].strip()
    r = spread(xs)
    r["transfer_device_s"] = statistics.median(transfer)
    r["note"] = notes
    return r


def newton(base):
    xs = []
    loss = None
    for _ in range(REPEATS):
        d = descent(base + ["--optimizer", "newton", "--steps", "1"])
        xs.append(d["wall_s"])
        loss = d["final_loss"]
    r = spread(xs)
    r["final_loss"] = loss
    return r


def numpy_pass(x_path, y_path, chunk_rows, in_memory):
    """One GD pass as numpy does it best: X.T @ (X @ w - y) per chunk of the memmap (or on the whole array)."""
    X = np.load(x_path, mmap_mode=None if in_memory else "r")
    y = np.load(y_path, mmap_mode=None if in_memory else "r")
    w = np.zeros(COLS, np.float32)
    n = X.shape[0]

    def run():
        g = np.zeros(COLS, np.float64)
        for a in range(0, n, chunk_rows):
            Xc = X[a:a + chunk_rows]
            r = Xc @ w - y[a:a + chunk_rows]
            g += Xc.T @ r
        return g

    run()
    ts = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        run()
        ts.append(time.perf_counter() - t0)
    return spread(ts)


def main():
    results = {"rows": ROWS, "cols": COLS, "repeats": REPEATS}
    log("== link (bench roofline)")
    roof = subprocess.run([DESCENT, "bench", "roofline"], capture_output=True, text=True, check=True)
    link = json.loads(roof.stdout).get("link", {})
    results["link"] = link
    up = link.get("upload_gbs", float("nan"))
    up_pinned = link.get("upload_pinned_gbs", float("nan"))
    results["streaming"] = []
    for n in ROWS:
        log(f"== {n} rows: data")
        x, y = write_npy(n)
        nbytes = n * (COLS + 1) * 4
        for order in "CF":
            common = ["train", "--npy", x[order], "--npy-target", y, "--objective", "linear", "--no-intercept"]
            log(f"== {n} rows, {order} order: streamed and in memory")
            row = {"rows": n, "order": order, "bytes": nbytes}
            row["streamed_pass_s"] = per_pass(common + ["--device-memory", "64M"])
            row["in_memory_pass_s"] = per_pass(common)
            row["streamed_newton_s"] = newton(common + ["--device-memory", "64M"])
            row["in_memory_newton_s"] = newton(common)
            row["link_s"] = nbytes / (up * 1e9)
            row["link_pinned_s"] = nbytes / (up_pinned * 1e9)
            row["numpy_memmap_pass_s"] = numpy_pass(x[order], y, 1 << 20, False)
            if n * (COLS + 1) * 4 < 8e9:
                row["numpy_in_memory_pass_s"] = numpy_pass(x[order], y, 1 << 20, True)
            results["streaming"].append(row)
            log(json.dumps({k: (v["median"] if isinstance(v, dict) and "median" in v else v) for k, v in row.items()}))
    # 2. an .npy 1.5x the heap
    n = ROWS[min(1, len(ROWS) - 1)]
    x, y = write_npy(n)
    size = os.path.getsize(x["C"]) + os.path.getsize(y)
    heap_mb = int(size / 1.5 / 2**20)
    log(f"== .npy of {size / 2**20:.0f} MiB with -Xmx{heap_mb}m")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", DESCENT, "train", "--npy", x["C"], "--npy-target", y, "--objective",
                        "linear", "--optimizer", "gd:lr=0.1", "--steps", "10", "--json", "--no-progress"],
                       capture_output=True, text=True, env=dict(os.environ, DESCENT_JAVA_OPTS=f"-Xmx{heap_mb}m"))
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    rss_kb = int(p.stderr.strip().splitlines()[-1])
    d = json.loads(p.stdout)
    results["larger_than_heap"] = {"file_bytes": size, "xmx_mb": heap_mb, "peak_rss_mb": rss_kb / 1024, "process_s": wall,
                                   "train_wall_s": d["wall_s"], "final_loss": d["final_loss"],
                                   "note": p.stderr.strip().splitlines()[:-1]}
    log(json.dumps(results["larger_than_heap"]))
    # 3. data parallel on two PoCL devices
    n = ROWS[0]
    x, y = write_npy(n)
    two = {"POCL_DEVICES": "pthread pthread"}
    common = ["train", "--npy", x["F"], "--npy-target", y, "--objective", "linear", "--precision", "fp64"]
    dp = {"rows": n}
    for label, extra in (("one", []), ("two", ["--data-parallel", "all"])):
        xs, losses = [], []
        for _ in range(REPEATS):
            a = descent(common + extra + ["--optimizer", "gd:lr=0.1", "--steps", "5"], env=two)
            b = descent(common + extra + ["--optimizer", "gd:lr=0.1", "--steps", "15"], env=two)
            xs.append((b["wall_s"] - a["wall_s"]) / 10)
            losses.append(b["final_loss"])
        dp[label] = spread(xs)
        dp[label]["final_loss"] = losses[0]
        dp[label]["note"] = b["_stderr"].strip()
    dp["relative_loss_difference"] = abs(dp["one"]["final_loss"] - dp["two"]["final_loss"]) / abs(dp["one"]["final_loss"])
    results["data_parallel"] = dp
    log(json.dumps({k: v for k, v in dp.items() if k != "note"}))
    with open(os.path.join(OUT, "scale.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(os.path.join(OUT, "scale.json"))


if __name__ == "__main__":
    main()
