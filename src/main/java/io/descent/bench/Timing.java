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

    /**
     * Steady-state seconds per run of {@code op}, as a difference of two run lengths: each repeat
     * times {@code shortRuns} then {@code longRuns} back-to-back runs (one finish each) and takes
     * (t_long - t_short) / (longRuns - shortRuns), so a launch's start-up and the final wait cancel.
     * The statistics are over the repeats.
     */
    public static Stats steady(ClRuntime rt, int shortRuns, int longRuns, int repeats, Runnable op) {
        if (shortRuns < 1 || longRuns <= shortRuns || repeats < 1) {
            throw new IllegalArgumentException("steady state from " + shortRuns + " and " + longRuns + " runs, "
                    + repeats + " repeats");
        }
        double[] per = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            double ts = wall(rt, op, shortRuns), tl = wall(rt, op, longRuns);
            per[r] = (tl - ts) / (longRuns - shortRuns);
        }
        return Stats.of(per);
    }

    private static double wall(ClRuntime rt, Runnable op, int count) {
        rt.finish();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) op.run();
        rt.finish();
        return (System.nanoTime() - t0) * 1e-9;
    }
}
