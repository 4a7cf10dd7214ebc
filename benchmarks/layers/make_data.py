"""A classification set the size of MNIST's features: ROWS x 784 standard normal features, 10 classes
from a random linear teacher (argmax), written as CSV for descent and .npy for PyTorch."""
import os, sys
import numpy as np

out, rows = sys.argv[1], int(os.environ.get("ROWS", "10000"))
rng = np.random.default_rng(0)
x = rng.standard_normal((rows, 784)).astype(np.float32)
y = (x @ rng.standard_normal((784, 10))).argmax(axis=1)
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "y.npy"), y.astype(np.int64))
header = ",".join([f"f{i}" for i in range(784)] + ["label"])
np.savetxt(os.path.join(out, "data.csv"), np.c_[x, y], delimiter=",", header=header, comments="", fmt="%.7g")
