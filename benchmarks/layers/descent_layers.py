"""descent's side: `descent train` of the same network (--objective mlp --loss softmax --layers
256,256 --activation relu, Adam lr 1e-3) on data.csv, SHORT and LONG steps per repeat, the run's
wall_s (training only, after build and rehearsal); per step (wall(LONG) - wall(SHORT)) / (LONG -
SHORT). Also the share of device time that is the gradient. JSON on stdout."""
import json, os, subprocess, sys

root, d = sys.argv[1], sys.argv[2]
SHORT, LONG, repeats = 5, 20, int(os.environ.get("REPEATS", "5"))
out = {"cases": {}}
for prec in ("fp32", "fp64"):
    def run(k):
        cmd = [os.path.join(root, "descent"), "train", "--csv", os.path.join(d, "data.csv"), "--target", "label",
               "--objective", "mlp", "--loss", "softmax", "--layers", "256,256", "--activation", "relu",
               "--optimizer", "adam:lr=0.001", "--steps", str(k), "--precision", prec, "--json", "--no-progress"]
        r = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return json.loads(r.stdout)
    per, share = [], None
    for _ in range(repeats):
        a, b = run(SHORT), run(LONG)
        per.append((b["wall_s"] - a["wall_s"]) / (LONG - SHORT))
        share = b["gradient_share"]
    per.sort()
    out["cases"][prec] = {"median_s": per[repeats // 2], "p25_s": per[repeats // 4], "p75_s": per[(3 * repeats) // 4],
                          "gradient_share": share}
print(json.dumps(out))
