"""PyTorch CPU peer of FusedSwitchBench: the seeds' family of networks (20 inputs, two tanh hidden
layers of width w, one output, MSE), the loss and gradient (zero_grad, loss, backward) of 10,000
rows of seed 000's kind (x ~ N(0, 1), y = row sum), per call as (t(3k calls) - t(k)) / 2k, k = 4,
median over REPEATS. JSON on stdout. Usage: switch_torch.py THREADS WIDTHS"""
import json, os, sys, time
import torch

threads, widths = int(sys.argv[1]), [int(w) for w in sys.argv[2].split(",")]
torch.set_num_threads(threads)
rows, repeats, k = int(os.environ.get("ROWS", "10000")), int(os.environ.get("REPEATS", "7")), 4
out = {"torch": torch.__version__, "threads": threads, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", ""),
       "cases": []}
for dtype, name in ((torch.float32, "fp32"), (torch.float64, "fp64")):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(rows, 20, generator=g, dtype=dtype)
    y = x.sum(dim=1, keepdim=True)
    for w in widths:
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(20, w), torch.nn.Tanh(), torch.nn.Linear(w, w), torch.nn.Tanh(),
                                  torch.nn.Linear(w, 1)).to(dtype)
        loss_fn = torch.nn.MSELoss()

        def calls(n):
            t0 = time.perf_counter()
            for _ in range(n):
                net.zero_grad(set_to_none=True)
                loss_fn(net(x), y).backward()
            return time.perf_counter() - t0

        calls(2)
        per = sorted((calls(3 * k) - calls(k)) / (2 * k) for _ in range(repeats))
        out["cases"].append({"precision": name, "width": w, "median_s": per[repeats // 2], "p25_s": per[repeats // 4],
                             "p75_s": per[(3 * repeats) // 4]})
print(json.dumps(out))
