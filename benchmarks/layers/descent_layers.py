"""descent's side: `descent train` of the same network (--objective mlp --loss softmax --layers
256,256 --activation relu, Adam lr 1e-3) on data.csv, one run of LONG steps per repeat; per step
(wall after step LONG - wall after step SHORT) / (LONG - SHORT) from its history.csv (device-clock
step ends, training only), as PyTorch's side times two run lengths inside one process. Also the
share of device time that is the gradient. JSON on stdout."""
import csv, json, os, subprocess, sys, tempfile

root, d = sys.argv[1], sys.argv[2]
SHORT, LONG, repeats = 5, 20, int(os.environ.get("REPEATS", "5"))
out = {"cases": {}}
for prec in ("fp32", "fp64"):
    def run(k):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [os.path.join(root, "descent"), "train", "--csv", os.path.join(d, "data.csv"), "--target", "label",
                   "--objective", "mlp", "--loss", "softmax", "--layers", "256,256", "--activation", "relu",
                   "--optimizer", "adam:lr=0.001", "--steps", str(k), "--precision", prec, "--json", "--no-progress",
                   "--out", os.path.join(tmp, "run")]
            r = subprocess.run(cmd, capture_output=True, text=True, check=True)
            with open(os.path.join(tmp, "run", "history.csv")) as f:
                wall = {int(x["step"]): float(x["wall_s"]) for x in csv.DictReader(f)}
            return json.loads(r.stdout), wall
    per, share = [], None
    for _ in range(repeats):
        j, wall = run(LONG)
        per.append((wall[LONG] - wall[SHORT]) / (LONG - SHORT))
        share = j["gradient_share"]
    per.sort()
    out["cases"][prec] = {"median_s": per[repeats // 2], "p25_s": per[repeats // 4], "p75_s": per[(3 * repeats) // 4],
                          "gradient_share": share}
print(json.dumps(out))
