"""Markdown table of benchmarks/wide/run.sh's two JSON files: per width, descent's fused and
two-pass device times, and numpy's wall time, for the loss + gradient and for H v.

    python3 benchmarks/wide/report.py descent-wide.json [numpy-wide.json]

Without the numpy file (the GPU run has no peer of its own here) its columns show "-"."""
import json
import sys


def ms(x):
    return "%.3f" % (1e3 * x) if x is not None else "-"


def main():
    d = json.load(open(sys.argv[1]))
    peer = {(c["precision"], c["features"]): c for c in json.load(open(sys.argv[2]))["cases"]} if len(sys.argv) > 2 else {}
    print("Device: %s (%s), tuning entry %s, WIDE_FROM %d. Times in ms: descent's device median, numpy's wall "
          "median; ratio = numpy / descent's path for that width (above 1: descent is faster).\n"
          % (d["device"], d["driver"], d["tuning"], d["wide_from"]))
    for what in ("gradient", "hessian_vector"):
        print("%s:\n" % ("Loss + gradient" if what == "gradient" else "Hessian-vector product"))
        print("| precision | k | rows | fused | two passes | fused / two passes | numpy | numpy / descent |")
        print("|---|---|---|---|---|---|---|---|")
        for c in d["cases"]:
            f = c.get("fused", {}).get(what, {}).get("device_median_s")
            w = c["wide"][what]["device_median_s"]
            p = peer.get((c["precision"], c["features"]), {}).get(what, {}).get("median_s")
            path = w if c["features"] + 1 >= d["wide_from"] or f is None else f
            print("| %s | %d | %d | %s | %s | %s | %s | %s |" % (
                c["precision"], c["features"], c["rows"], ms(f), ms(w), "%.2f" % (f / w) if f else "-",
                ms(p), "%.2f" % (p / path) if p else "-"))
        print()


if __name__ == "__main__":
    main()
