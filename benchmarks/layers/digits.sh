#!/usr/bin/env bash
# Held-out accuracy on scikit-learn's digits, fixed stratified 75/25 split: descent's softmax
# regression and its 64-64-10 ReLU softmax MLP, against scikit-learn's LogisticRegression and
# MLPClassifier on the same split in the same run (accuracy is the measure here, not time).
#   benchmarks/layers/digits.sh [OUT_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/benchmarks/results/digits-$(date +%F)}
mkdir -p "$out"
"$root/benchmarks/setup"
"$root/descent" --version >/dev/null
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
/usr/bin/python3 "$root/benchmarks/layers/digits.py" "$data" > "$out/sklearn.json"
common=(--csv "$data/train.csv" --target digit --standardize --precision fp32 --no-progress)
# softmax regression without a penalty: L-BFGS for a fixed 100 steps, which stops it short of the
# separable data's unbounded minimum
"$root/descent" train "${common[@]}" --objective softmax --optimizer lbfgs --steps 100 \
  --save-model "$out/softmax.json" > "$out/softmax-train.txt"
# and with scikit-learn's penalty: C sum(loss) + ||W||^2 / 2 is, divided by C n, descent's mean loss
# + alpha ||W||^2 with alpha = 1 / (2 C n) (C = 1, n training rows); L-BFGS to its finite minimum
alpha=$(/usr/bin/python3 -c "import json; print(1 / (2 * json.load(open('$out/sklearn.json'))['rows_train']))")
"$root/descent" train "${common[@]}" --objective softmax --alpha "$alpha" --optimizer lbfgs --steps 500 \
  --save-model "$out/softmax-l2.json" > "$out/softmax-l2-train.txt"
"$root/descent" train "${common[@]}" --objective mlp --loss softmax --layers 64 --activation relu \
  --optimizer adam:lr=0.001 --steps 2000 --seed 0 --save-model "$out/mlp64.json" > "$out/mlp64-train.txt"
for m in softmax softmax-l2 mlp64; do
  "$root/descent" evaluate --model "$out/$m.json" --csv "$data/test.csv" --json > "$out/$m-test.json"
done
/usr/bin/python3 - "$out" <<'PY' | tee "$out/digits.md"
import json, sys, os
out = sys.argv[1]
sk = json.load(open(os.path.join(out, "sklearn.json")))
print(f"scikit-learn digits, stratified 75/25 split (random_state=0): {sk['rows_train']} train, {sk['rows_test']} test rows\n")
print("| model | descent accuracy | scikit-learn accuracy |")
print("|---|---|---|")
rows = (("softmax", "softmax", "softmax regression (descent: no penalty, 100 L-BFGS steps; scikit-learn: C=1)"),
        ("softmax-l2", "softmax", "softmax regression, the same L2 penalty (descent: alpha = 1/(2 C n), 500 L-BFGS steps; scikit-learn: C=1)"),
        ("mlp64", "mlp64", "64-64-10 ReLU softmax MLP, Adam"))
for m, s, label in rows:
    d = json.load(open(os.path.join(out, m + "-test.json")))
    print(f"| {label} | {d['accuracy']:.4f} | {sk[s]['accuracy']:.4f} |")
PY
