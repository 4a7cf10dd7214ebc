#!/usr/bin/env bash
# Issue 14's benchmark (logistic regression to its solution, Hessian assembly, Cholesky): see run.py.
#   benchmarks/glm/run.sh [OUT_DIR]    Measure on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/native/setup" >/dev/null
"$root/benchmarks/setup"
/usr/bin/python3 -c 'import sklearn' 2>/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-sklearn >/dev/null; }
"$root/descent" --version >/dev/null
exec /usr/bin/python3 "$root/benchmarks/glm/run.py" "$@"
