"""descent's side of the epoch benchmark: `descent train --npy` of the 784-W-W-10 ReLU softmax network
(WIDTH, default 256) with Adam (lr 1e-3) in mini-batches of B rows (a shuffle per epoch). Per step:
one run of LONG steps per repeat, (wall after step LONG - wall after step SHORT) / (LONG - SHORT) from
its history.csv (each step's end on the device clock), the same two run lengths PyTorch's side takes
inside one process; a difference of two separate descent processes carried their start-up noise
(+-0.3 s) into the figure. Per epoch that times ceil(rows / B). DESCENT_CMD runs descent (default
ROOT/descent; .gpu/run on the GPU machine). Usage: descent_epochs.py ROOT DATA_DIR BATCHES (e.g.
128,1024). JSON on stdout."""
import csv, json, math, os, subprocess, sys, tempfile

root, d, batches = sys.argv[1], sys.argv[2], [int(b) for b in sys.argv[3].split(",")]
repeats = int(os.environ.get("REPEATS", "3"))
rows = int(os.environ.get("ROWS", "60000"))
width = int(os.environ.get("WIDTH", "256"))
out = {"rows": rows, "cases": {}}
for b in batches:
    short, long_ = (40, 200) if b <= 256 else (10, 50)

    def run(k):
        with tempfile.TemporaryDirectory() as out_dir:
            cmd = [os.environ.get("DESCENT_CMD", os.path.join(root, "descent")), "train", "--npy", os.path.join(d, "x.npy"), "--npy-target",
                   os.path.join(d, "yf.npy"), "--objective", "mlp", "--loss", "softmax", "--layers", f"{width},{width}",
                   "--activation", "relu", "--optimizer", f"adam:lr=0.001,batch={b}", "--steps", str(k),
                   "--precision", "fp32", "--no-progress", "--out", os.path.join(out_dir, "run")]
            subprocess.run(cmd, capture_output=True, text=True, check=True)
            with open(os.path.join(out_dir, "run", "history.csv")) as f:
                return {int(r["step"]): float(r["wall_s"]) for r in csv.DictReader(f)}

    per = []
    for _ in range(repeats):
        wall = run(long_)
        per.append((wall[long_] - wall[short]) / (long_ - short))
    per.sort()
    steps = math.ceil(rows / b)
    out["cases"][str(b)] = {"step_median_s": per[repeats // 2], "step_p25_s": per[repeats // 4],
                            "step_p75_s": per[(3 * repeats) // 4], "steps_per_epoch": steps,
                            "epoch_median_s": per[repeats // 2] * steps}
print(json.dumps(out))
