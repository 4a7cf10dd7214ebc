"""scikit-learn's digits (1,797 8x8 images, 10 classes), a fixed stratified 75/25 split
(random_state=0): writes train.csv and test.csv for descent, and prints scikit-learn's held-out
accuracy for the same two models descent trains (standardised inputs): multinomial logistic
regression, and an MLP with one ReLU hidden layer of 64 (Adam, its defaults otherwise)."""
import json, os, sys, time
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

out = sys.argv[1]
x, y = load_digits(return_X_y=True)
xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
header = ",".join([f"p{i}" for i in range(64)] + ["digit"])
for name, a, b in (("train", xtr, ytr), ("test", xte, yte)):
    np.savetxt(os.path.join(out, name + ".csv"), np.c_[a, b], delimiter=",", header=header, comments="", fmt="%g")
res = {"rows_train": len(ytr), "rows_test": len(yte)}
for key, model in (("softmax", LogisticRegression(max_iter=1000)),  # lbfgs, multinomial, C=1
                   ("mlp64", MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, random_state=0))):
    p = make_pipeline(StandardScaler(), model)
    t0 = time.perf_counter()
    p.fit(xtr, ytr)
    res[key] = {"accuracy": float(p.score(xte, yte)), "fit_s": time.perf_counter() - t0}
print(json.dumps(res))
