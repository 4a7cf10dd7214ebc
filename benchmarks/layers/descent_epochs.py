"""descent's side of the epoch benchmark: `descent train --npy` of the 784-256-256-10 ReLU softmax
network with Adam (lr 1e-3) in mini-batches of B rows (a shuffle per epoch), SHORT and LONG steps
per repeat; per step (wall(LONG) - wall(SHORT)) / (LONG - SHORT), per epoch that times
ceil(rows / B). Usage: descent_epochs.py ROOT DATA_DIR BATCHES (e.g. 128,1024). JSON on stdout."""
import json, math, os, subprocess, sys

root, d, batches = sys.argv[1], sys.argv[2], [int(b) for b in sys.argv[3].split(",")]
repeats = int(os.environ.get("REPEATS", "3"))
rows = int(os.environ.get("ROWS", "60000"))
out = {"rows": rows, "cases": {}}
for b in batches:
    short, long_ = (40, 200) if b <= 256 else (10, 50)

    def run(k):
        cmd = [os.path.join(root, "descent"), "train", "--npy", os.path.join(d, "x.npy"), "--npy-target",
               os.path.join(d, "yf.npy"), "--objective", "mlp", "--loss", "softmax", "--layers", "256,256",
               "--activation", "relu", "--optimizer", f"adam:lr=0.001,batch={b}", "--steps", str(k),
               "--precision", "fp32", "--json", "--no-progress"]
        r = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return json.loads(r.stdout)

    per = []
    for _ in range(repeats):
        a, c = run(short), run(long_)
        per.append((c["wall_s"] - a["wall_s"]) / (long_ - short))
    per.sort()
    steps = math.ceil(rows / b)
    out["cases"][str(b)] = {"step_median_s": per[repeats // 2], "step_p25_s": per[repeats // 4],
                            "step_p75_s": per[(3 * repeats) // 4], "steps_per_epoch": steps,
                            "epoch_median_s": per[repeats // 2] * steps}
print(json.dumps(out))
