#!/usr/bin/env bash
# NIST StRD linear least squares (Wampler1, Wampler2, Longley, Filip; data and sources in
# src/test/resources/nist): correct digits (LRE against the certified values) of
#   descent train --objective linear --csv FILE --standardize --precision fp64 --optimizer newton
# after one step and to convergence, and of damped-newton, next to numpy.linalg.lstsq (LAPACK gelsd)
# on the raw design matrix, with Debian's /usr/bin/python3 (python3-numpy).
#
#   benchmarks/nist/run.sh [OUT_DIR]     (default: a new temporary directory)
#
# Accuracy only: no timing, so a busy machine does not change the figures (the summation order of
# the device's tuning entry can, in the last digit or so).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
for name in wampler1 wampler2 longley filip; do
  for run in newton:1 newton:100 damped-newton:100; do
    opt=${run%%:*}; steps=${run##*:}
    "$root/descent" train --objective linear --csv "$root/src/test/resources/nist/$name.csv" --standardize \
      --precision fp64 --optimizer "$opt" --steps "$steps" --json --no-progress > "$out/$name-$opt-$steps.json"
  done
done
/usr/bin/python3 "$root/benchmarks/nist/lre.py" "$out"
