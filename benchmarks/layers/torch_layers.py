"""PyTorch CPU peer of the layered network: Linear(784, 256), ReLU, Linear(256, 256), ReLU,
Linear(256, 10), CrossEntropyLoss, Adam(lr=1e-3), full-batch steps (zero_grad, loss, backward, step)
on the data of make_data.py. Per step as a difference of two run lengths: (t(LONG) - t(SHORT)) /
(LONG - SHORT), per repeat; median and p25/p75. JSON on stdout."""
import json, os, sys, time
import numpy as np
import torch

d, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
SHORT, LONG, repeats = 5, 20, int(os.environ.get("REPEATS", "5"))
out = {"torch": torch.__version__, "threads": threads, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", ""),
       "GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES", ""), "cases": {}}
for dtype, name in ((torch.float32, "fp32"), (torch.float64, "fp64")):
    x = torch.from_numpy(np.load(os.path.join(d, "x.npy"))).to(dtype)
    y = torch.from_numpy(np.load(os.path.join(d, "y.npy")))
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
                              torch.nn.Linear(256, 10)).to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def steps(k):
        t0 = time.perf_counter()
        for _ in range(k):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
        return time.perf_counter() - t0

    steps(3)
    per = sorted((steps(LONG) - steps(SHORT)) / (LONG - SHORT) for _ in range(repeats))
    out["cases"][name] = {"median_s": per[repeats // 2], "p25_s": per[repeats // 4], "p75_s": per[(3 * repeats) // 4],
                          "rows": x.shape[0], "parameters": sum(p.numel() for p in net.parameters())}
print(json.dumps(out))
