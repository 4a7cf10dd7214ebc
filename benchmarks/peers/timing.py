"""Shared by the peers: time a function the way descent's bench does (warm-up runs, then repeats)
and report median and spread, so both sides of a ratio are measured alike."""
import time


def timeit(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"median_s": times[len(times) // 2], "min_s": times[0], "max_s": times[-1],
            "p25_s": times[len(times) // 4], "p75_s": times[(3 * len(times)) // 4], "repeats": repeats}
