"""PyTorch peer of 'descent bench roofline': the same work, read from descent's JSON (sizes, MLP
shapes, precisions), done with PyTorch on the same machine, so the GPU results are ratios.

    python3 benchmarks/gpu/torch_roofline.py --from roofline.json [--device cuda|cpu] > torch-roofline.json

Its best configuration, as the benchmarks' rule asks:
- cuBLAS and cuSOLVER through torch;
- X stored both row-major and column-major, the faster one kept;
- TF32 off for the float32 numbers, since descent computes in true float32 (a TF32 GEMM rate is
  reported beside them, for information).
Timing follows descent's bench: warm-up, then repeats. Wall time waits for the device
(torch.cuda.synchronize) like descent's clFinish, and device time comes from CUDA events.
"""
import argparse
import json
import os
import platform
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(os.path.dirname(here), "peers")]  # packed beside it in .gpu/, or in the repo
from timing import timeit  # noqa: E402  (benchmarks/peers/timing.py: the peers' shared timer)

import torch  # noqa: E402

DTYPES = {"fp32": torch.float32, "fp64": torch.float64}


class Timer:
    def __init__(self, device, warmup, repeats):
        self.device, self.warmup, self.repeats = device, warmup, repeats
        self.cuda = device.type == "cuda"

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def __call__(self, fn):
        def waited():
            fn()
            self.sync()
        self.sync()
        r = timeit(waited, self.warmup, self.repeats)
        if self.cuda:
            times = []
            for _ in range(self.repeats):
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                fn()
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end) * 1e-3)
            times.sort()
            r["device_median_s"] = times[len(times) // 2]
        else:
            r["device_median_s"] = r["median_s"]
        return r


def linear(t, dev, rows, cols, dtype):
    """Seed 000's regression: gradient (2/n) X'(Xw - y), Hessian (2/n) X'X, one Newton step."""
    out = {}
    w = torch.randn(cols, 1, dtype=dtype, device=dev)
    y = torch.randn(rows, 1, dtype=dtype, device=dev)
    bytes_read = rows * (cols + 1) * torch.tensor([], dtype=dtype).element_size()
    best = {}
    for layout in ("row-major", "column-major"):
        xt = torch.randn(cols, rows, dtype=dtype, device=dev)  # column-major X: X = xt.T
        x = xt.T.contiguous() if layout == "row-major" else xt.T
        if layout == "row-major":
            del xt
        cases = {
            "gradient": lambda: x.T @ (x @ w - y) * (2.0 / rows),
            "loss": lambda: torch.mean((x @ w - y) ** 2),
            "hessian": lambda: (x.T @ x) * (2.0 / rows),
        }

        def newton():
            h = (x.T @ x) * (2.0 / rows)
            g = x.T @ (x @ w - y) * (2.0 / rows)
            return w - torch.cholesky_solve(g, torch.linalg.cholesky(h))
        cases["newton_step"] = newton
        for name, fn in cases.items():
            r = t(fn)
            r["config"] = layout
            if name != "newton_step":
                r["bytes_read"] = bytes_read
                r["gbps_device"] = bytes_read / r["device_median_s"] / 1e9
            if name not in best or r["device_median_s"] < best[name]["device_median_s"]:
                best[name] = r
        del x
        if dev.type == "cuda":
            torch.cuda.empty_cache()
    out.update(best)
    return out


def mlp_gradient(t, dev, m):
    dtype = DTYPES[m["precision"]]
    widths = [m["dim_in"]] + list(m["hidden"]) + [1]
    layers = []
    for i in range(len(widths) - 1):
        if i > 0 and m["activation"] == "relu":
            layers.append(torch.nn.ReLU())
        elif i > 0 and m["activation"] == "tanh":
            layers.append(torch.nn.Tanh())
        elif i > 0 and m["activation"] == "sigmoid":
            layers.append(torch.nn.Sigmoid())
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
    model = torch.nn.Sequential(*layers).to(device=dev, dtype=dtype)
    x = torch.randn(m["rows"], m["dim_in"], dtype=dtype, device=dev)
    y = x.sum(dim=1, keepdim=True)
    loss_fn = torch.nn.MSELoss()

    def gradient():
        model.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
    r = t(gradient)
    params = sum(p.numel() for p in model.parameters())
    return {"scenario": m["scenario"], "precision": m["precision"], "parameters": params,
            "us_per_gradient_wall": r["median_s"] * 1e6, "us_per_gradient_device": r["device_median_s"] * 1e6,
            "launch_share": max(0.0, 1 - r["device_median_s"] / r["median_s"]), "timing": r}


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="source", required=True, help="descent's bench roofline JSON")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    with open(args.source) as f:
        d = json.load(f)
    dev = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    t = Timer(dev, args.warmup, args.repeats)
    out = {"peer": "torch " + torch.__version__, "python": platform.python_version(), "device_type": dev.type,
           "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else cpu_name(),
           "cuda": torch.version.cuda, "threads": torch.get_num_threads(), "tf32": False}
    n = d["copy"]["bytes"] // 4
    a = torch.ones(n, dtype=torch.float32, device=dev)
    b = torch.empty_like(a)
    r = t(lambda: b.copy_(a))
    r["bytes"] = n * 4
    r["gbps_device"] = 2 * n * 4 / r["device_median_s"] / 1e9
    out["copy"] = r
    del a, b
    precisions = [p for p in ("fp32", "fp64") if "gemm_" + p in d]
    for p in precisions:
        g = d["gemm_" + p]["n"]
        a = torch.rand(g, g, dtype=DTYPES[p], device=dev)
        r = t(lambda: a @ a)
        r["n"] = g
        r["gflops_device"] = 2.0 * g ** 3 / r["device_median_s"] / 1e9
        out["gemm_" + p] = r
        if p == "fp32" and dev.type == "cuda":
            torch.backends.cuda.matmul.allow_tf32 = True
            r = t(lambda: a @ a)
            torch.backends.cuda.matmul.allow_tf32 = False
            out["gemm_tf32_info"] = {"n": g, "gflops_device": 2.0 * g ** 3 / r["device_median_s"] / 1e9}
        del a
    # a partial descent run (stopped at its time limit) lacks its later parts: do what it has
    for p in precisions:
        if "newton_step_" + p in d:
            print("torch peer: linear %s" % p, file=sys.stderr)
            rows, cols = d["newton_step_" + p]["rows"], d["newton_step_" + p]["parameters"]
            out["linear_" + p] = linear(t, dev, rows, cols, DTYPES[p])
        if "cholesky_" + p not in d:
            continue
        sizes = sorted({e["n"] for path in d["cholesky_" + p].values() for e in path})
        chol = []
        for size in sizes:
            m = torch.randn(size, size, dtype=DTYPES[p], device=dev)
            spd = m @ m.T / size + torch.eye(size, dtype=DTYPES[p], device=dev)
            r = t(lambda: torch.linalg.cholesky(spd))
            r["n"] = size
            r["gflops_device"] = size ** 3 / 3 / r["device_median_s"] / 1e9
            chol.append(r)
            del m, spd
        out["cholesky_" + p] = chol
    out["mlp"] = []
    for m in d.get("mlp", []):
        print("torch peer: %s %s" % (m["scenario"], m["precision"]), file=sys.stderr)
        out["mlp"].append(mlp_gradient(t, dev, m))
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
