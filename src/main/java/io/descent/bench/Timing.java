package io.descent.bench;

import io.descent.cl.ClRuntime;
import io.descent.profile.PhaseTotals;

/**
 * Times one piece of device work: warm-up runs, then repeats, each enqueued and waited for
 * (clFinish), so wall time includes launch overhead and device time comes from profiling events.
 */
public final class Timing {
    /** Wall and device statistics of a repeated operation. */
    public record Result(Stats wall, Stats device) {
    }

    private Timing() {
    }

    /**
     * A usage error unless there is at least one timed run and no negative warm-up: every bench's
     * constructor checks its counts here, so a bad --repeats or --warmup reads the same everywhere.
     */
    public static void checkRuns(int warmup, int repeats) {
        if (repeats < 1 || warmup < 0) {
            throw new io.descent.UsageException("--repeats " + repeats + " and --warmup " + warmup
                    + ": there must be at least 1 timed run and no negative warm-up");
        }
    }

    public static Result measure(ClRuntime rt, int warmup, int repeats, Runnable work) {
        for (int i = 0; i < warmup; i++) {
            work.run();
            rt.finish();
        }
        double[] wall = new double[repeats];
        double[] device = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            rt.finish();
            PhaseTotals before = rt.timer().totals();
            long t0 = System.nanoTime();
            work.run();
            rt.finish();
            wall[i] = (System.nanoTime() - t0) * 1e-9;
            device[i] = rt.timer().totals().minus(before).deviceNanos() * 1e-9;
        }
        return new Result(Stats.of(wall), Stats.of(device));
    }
}
