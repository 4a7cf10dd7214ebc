"""PyTorch CPU peer for the MLP objective: full-batch loss.backward() of seed 000's networks
(torch.nn.Sequential(Linear(dim_in, hidden), *[Linear(hidden, hidden)] * n_layers, Linear(hidden, 1)),
optionally with ReLU between layers), MSE loss, data x ~ N(0,1), y = row sum.

Times forward + backward (zero_grad, loss, loss.backward()) and, separately, forward only, and
optimizer.step() for SGD and Adam, in float32 and float64. Threads come from --threads; the caller
runs it in its best environment (OPENBLAS_NUM_THREADS=1 and a glibc malloc that does not return
memory to the OS, which made PyTorch 1.13 3-8x faster here) and says so.
"""
import argparse
import json
import os
import platform
import time

from timing import timeit

import torch




def network(dim_in, hidden, n_layers, relu):
    layers = [torch.nn.Linear(dim_in, hidden)]
    for _ in range(n_layers):
        if relu:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(hidden, hidden))
    if relu:
        layers.append(torch.nn.ReLU())
    layers.append(torch.nn.Linear(hidden, 1))
    return torch.nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--dim-in", type=int, default=20)
    ap.add_argument("--hidden", type=int, default=10)
    ap.add_argument("--layers", type=int, default=5)
    ap.add_argument("--relu", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
           "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", ""),
           "GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES", ""), "rows": args.rows, "cases": {}}
    for dtype, name in ((torch.float32, "fp32"), (torch.float64, "fp64")):
        torch.manual_seed(0)
        x = torch.randn(args.rows, args.dim_in, dtype=dtype)
        y = x.sum(axis=1).reshape(-1, 1)
        model = network(args.dim_in, args.hidden, args.layers, args.relu).to(dtype)
        out["parameters"] = sum(p.numel() for p in model.parameters())
        loss_fn = torch.nn.MSELoss(reduction="mean")

        def gradient():
            model.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()

        def forward():
            with torch.no_grad():
                loss_fn(model(x), y)

        out["cases"]["gradient_" + name] = timeit(gradient, args.warmup, args.repeats)
        out["cases"]["loss_" + name] = timeit(forward, args.warmup, args.repeats)
        for opt_name, make in (("sgd", lambda p: torch.optim.SGD(p, lr=1e-3)),
                               ("adam", lambda p: torch.optim.Adam(p, lr=1e-3))):
            opt = make(model.parameters())
            gradient()
            out["cases"][opt_name + "_step_" + name] = timeit(opt.step, args.warmup, args.repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
