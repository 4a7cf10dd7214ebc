"""PyTorch peer of descent_epochs.py: the same network, Adam(lr=1e-3), mini-batches of B rows from a
per-epoch permutation (index_select, as a DataLoader with shuffle=True gathers them), per step as a
difference of two run lengths, per epoch that times ceil(rows / B). TORCH_DEVICE=cuda runs it on the
GPU with the data there (TF32 off, the clock read after a synchronize). Usage: torch_epochs.py
DATA_DIR THREADS BATCHES. JSON on stdout."""
import json, math, os, sys, time
import numpy as np
import torch

d, threads, batches = sys.argv[1], int(sys.argv[2]), [int(b) for b in sys.argv[3].split(",")]
torch.set_num_threads(threads)
dev = torch.device(os.environ.get("TORCH_DEVICE", "cpu"))
if dev.type == "cuda":
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
repeats = int(os.environ.get("REPEATS", "3"))
x = torch.from_numpy(np.load(os.path.join(d, "x.npy"))).to(dev)
y = torch.from_numpy(np.load(os.path.join(d, "y.npy"))).to(dev)
rows = x.shape[0]
out = {"torch": torch.__version__, "device": str(dev), "threads": threads, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", ""),
       "GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES", ""), "rows": rows, "cases": {}}
for b in batches:
    short, long_ = (40, 200) if b <= 256 else (10, 50)
    torch.manual_seed(0)
    h = int(os.environ.get("WIDTH", "256"))
    net = torch.nn.Sequential(torch.nn.Linear(784, h), torch.nn.ReLU(), torch.nn.Linear(h, h), torch.nn.ReLU(),
                              torch.nn.Linear(h, 10)).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    state = {"perm": torch.randperm(rows, device=dev), "at": 0}

    def steps(k):
        sync()
        t0 = time.perf_counter()
        for _ in range(k):
            if state["at"] + b > rows:
                state["perm"], state["at"] = torch.randperm(rows, device=dev), 0
            idx = state["perm"][state["at"]:state["at"] + b]
            state["at"] += b
            opt.zero_grad(set_to_none=True)
            loss_fn(net(x.index_select(0, idx)), y.index_select(0, idx)).backward()
            opt.step()
        sync()
        return time.perf_counter() - t0

    steps(5)
    per = sorted((steps(long_) - steps(short)) / (long_ - short) for _ in range(repeats))
    n = math.ceil(rows / b)
    out["cases"][str(b)] = {"step_median_s": per[repeats // 2], "step_p25_s": per[repeats // 4],
                            "step_p75_s": per[(3 * repeats) // 4], "steps_per_epoch": n,
                            "epoch_median_s": per[repeats // 2] * n}
print(json.dumps(out))
