#!/usr/bin/python3
"""Issue 13's PyTorch peer: the race's protocol on PyTorch CPU for SGD (full batch, descent's gd),
momentum, Adam and the post's KeepStepping, on the workloads and grid of descent's reduced race.

    OPENBLAS_NUM_THREADS=1 GLIBC_TUNABLES=... benchmarks/race/torch_race.py [OUT_JSON]   (see run.sh)

Per workload and seed: the data as descent's scenario draws it (x ~ N(0, 1), y the row sum for the
networks; a column of ones plus 10 normals and y = X w for linear-1m), PyTorch's default
initialisation (descent uses its own: the starting losses differ, so each target is relative to
its own start), the target f* + 1e-4 (f0 - f*) with f* = 0, a trial budget of 10 s and 10x the
scenario's steps. Time to target: wall seconds from the first step to the first loss at or below
the target. A configuration's time is the median over seeds (a miss counts as infinite), and the
tuned configuration is the fastest, as `descent race` does.
"""
import json
import math
import os
import sys
import time

import torch

LRS = [1e-4, 1e-3, 1e-2, 1e-1]
SEEDS = [0, 1]
BUDGET = 10.0


sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "peers"))
from torch_mlp import network  # noqa: E402  (the networks of the gradient peer: n_layers + 1 hidden layers)


def workload(name, seed):
    g = torch.Generator().manual_seed(seed)
    if name == "mlp-10k":       # 10K x 20, six hidden layers of 10, no activation (771 parameters)
        x = torch.randn(10_000, 20, generator=g)
        torch.manual_seed(seed)
        return x, x.sum(1, keepdim=True), network(20, 10, 5, False), 1000, 100
    if name == "mlp-100k-relu":  # 100K x 10, four hidden ReLU layers of 10 (451 parameters)
        x = torch.randn(100_000, 10, generator=g)
        torch.manual_seed(seed)
        return x, x.sum(1, keepdim=True), network(10, 10, 3, True), 1000, 100
    if name == "linear-1m":     # 1M x 10 plus a column of ones, y = X w exactly
        x = torch.cat([torch.ones(1_000_000, 1), torch.randn(1_000_000, 10, generator=g)], 1)
        w = 5 * torch.randn(11, 1, generator=g)
        m = torch.nn.Linear(11, 1, bias=False)
        with torch.no_grad():
            m.weight.copy_(torch.randn(1, 11, generator=g))
        return x, x @ w, m, 100, 100
    raise SystemExit("unknown workload " + name)


def keepstepping_step(model, x, y, lr, max_steps=20):
    """One gradient, then mini-steps of lr along -g while the forward-only loss keeps falling."""
    model.zero_grad(set_to_none=True)
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    last = loss.item()
    params = [p for p in model.parameters()]
    grads = [p.grad for p in params]
    with torch.no_grad():
        for _ in range(max_steps):
            for p, gr in zip(params, grads):
                p.sub_(lr * gr)
            l = torch.nn.functional.mse_loss(model(x), y).item()
            if not l < last:
                for p, gr in zip(params, grads):
                    p.add_(lr * gr)
                break
            last = l
    return last


def trial(name, opt_name, lr, seed):
    x, y, model, steps, keep_steps = workload(name, seed)
    with torch.no_grad():
        f0 = torch.nn.functional.mse_loss(model(x), y).item()
    target = 1e-4 * f0
    opt = None
    if opt_name == "gd":
        opt = torch.optim.SGD(model.parameters(), lr=lr)
    elif opt_name == "momentum":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    elif opt_name == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    cap = 10 * (keep_steps if opt_name == "keepstepping" else steps)
    t0 = time.perf_counter()
    loss = f0
    for step in range(cap):
        if opt is None:
            loss = keepstepping_step(model, x, y, lr)
        else:
            opt.zero_grad(set_to_none=True)
            l = torch.nn.functional.mse_loss(model(x), y)
            l.backward()
            opt.step()
            loss = l.item()   # the loss at the start of this step, as descent records it
        now = time.perf_counter() - t0
        if loss <= target:
            return {"reached": True, "time_to_target_s": now, "steps": step + 1, "f0": f0, "final_loss": loss}
        if not math.isfinite(loss) or loss > 1e6 * max(f0, 1) or now > BUDGET:
            break
    return {"reached": False, "time_to_target_s": None, "steps": step + 1, "f0": f0, "final_loss": loss}


def main():
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(),
           "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", ""),
           "GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES", ""), "lrs": LRS, "seeds": SEEDS, "budget_s": BUDGET,
           "workloads": {}}
    for name in os.environ.get("WORKLOADS", "mlp-10k,mlp-100k-relu,linear-1m").split(","):
        per = {}
        for opt_name in ["gd", "momentum", "adam", "keepstepping"]:
            configs = []
            for lr in LRS:
                runs = [trial(name, opt_name, lr, s) for s in SEEDS]
                ts = sorted(r["time_to_target_s"] if r["reached"] else math.inf for r in runs)
                med = ts[len(ts) // 2] if len(ts) % 2 else (ts[0] + ts[1]) / 2
                configs.append({"lr": lr, "median_time_to_target_s": None if math.isinf(med) else med, "runs": runs})
                print(name, opt_name, lr, med, file=sys.stderr, flush=True)
            best = min(configs, key=lambda c: math.inf if c["median_time_to_target_s"] is None else c["median_time_to_target_s"])
            per[opt_name] = {"tuned_lr": best["lr"], "time_to_target_s": best["median_time_to_target_s"], "configs": configs}
        out["workloads"][name] = per
    text = json.dumps(out, indent=1)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            f.write(text)
    print(text)


main()
