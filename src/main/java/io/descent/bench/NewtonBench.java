package io.descent.bench;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.data.DeviceDataset;
import io.descent.data.Generated;
import io.descent.data.Generators;
import io.descent.linalg.Cholesky;
import io.descent.objective.LinearRegression;
import io.descent.optim.Newton;
import io.descent.optim.Problem;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Newton's benchmark (device defaults from {@link Cholesky.Tuning#forDevice}): one Newton step on seed 000's regression (gradient, Hessian assembly, solve,
 * update, and the step's one status read), split by phase, with its accuracy against the true
 * weights; and the Cholesky factorisation alone for n = 64 .. 4096 on each path (the one-work-group
 * kernel, the blocked path with our kernels, the blocked path with CLBlast TRSM + SYRK), to find
 * where each wins. Results are maps ready for JSON; numbers are seconds.
 */
public final class NewtonBench {
    private final ClRuntime rt;
    private final int warmup;
    private final int repeats;

    public NewtonBench(ClRuntime rt, int warmup, int repeats) {
        Timing.checkRuns(warmup, repeats);
        this.rt = rt;
        this.warmup = warmup;
        this.repeats = repeats;
    }

    /**
     * One Newton step (lr 1) on seed 000's n x k regression plus its column of ones, from w = 0 the
     * first time and from the solution after that (the work does not depend on w). Reports wall and
     * device statistics of the whole step, the device median of each phase, and the relative error
     * ||w - true_w|| / ||true_w|| after the first step.
     */
    public Map<String, Object> newtonStep(int n, int k, Precision p, boolean refine) {
        Generated g = Generators.seed000Regression(n, k, 42);
        try (DeviceDataset d = new DeviceDataset(rt, g.data(), p)) {
            return newtonStep(d, g.trueWeights(), refine);
        }
    }

    /** As {@link #newtonStep(int, int, Precision, boolean)} on data already on the device, with its true weights. */
    public Map<String, Object> newtonStep(DeviceDataset d, double[] trueWeights, boolean refine) {
        int n = d.rows();
        Map<String, Object> out = new LinkedHashMap<>();
        try (LinearRegression m = new LinearRegression(d, false, 0.0);
             Problem pr = new Problem(m, new double[m.parameterCount()]);
             Newton newton = new Newton(1.0, refine, io.descent.optim.SecondOrder.DEFAULT_CONDEST)) {
            newton.init(pr);
            pr.beginStep();
            newton.step(pr);
            out.put("relative_error", relError(pr.readParams(), trueWeights));
            for (int i = 0; i < warmup; i++) {
                pr.beginStep();
                newton.step(pr);
            }
            Phase[] phases = {Phase.GRADIENT, Phase.HESSIAN, Phase.SOLVE, Phase.UPDATE, Phase.TRANSFER};
            double[][] byPhase = new double[phases.length][repeats];
            double[] wall = new double[repeats];
            double[] device = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                rt.finish();
                PhaseTotals before = rt.timer().totals();
                long t0 = System.nanoTime();
                pr.beginStep();
                newton.step(pr); // ends with the status read, so the device is done
                wall[r] = (System.nanoTime() - t0) * 1e-9;
                PhaseTotals delta = rt.timer().totals().minus(before);
                device[r] = delta.deviceNanos() * 1e-9;
                for (int i = 0; i < phases.length; i++) byPhase[i][r] = delta.get(phases[i]).deviceSeconds();
            }
            out.put("rows", n);
            out.put("parameters", m.parameterCount());
            out.put("refine", refine);
            out.put("wall", Stats.of(wall).toJson());
            out.put("device_median_s", Stats.of(device).median());
            Map<String, Object> ph = new LinkedHashMap<>();
            for (int i = 0; i < phases.length; i++) ph.put(phases[i].label(), Stats.of(byPhase[i]).median());
            out.put("device_median_s_by_phase", ph);
            out.put("warnings", newton.warnings());
        }
        return out;
    }

    /** The paths {@link #cholesky} times. */
    public enum Path {
        /** One work-group, unblocked. */
        UNBLOCKED,
        /** Blocked, our panel and trailing-update kernels. */
        BLOCKED,
        /** Blocked, CLBlast TRSM and SYRK for the panel and trailing update. */
        CLBLAST
    }

    /**
     * Factorisation of an n x n SPD matrix (spectrum 1 .. 100) alone, for each n of {@code sizes} and
     * each path, median of the repeats (fewer when one run takes over a second); a path stops growing
     * n once a run took more than {@code maxSeconds}. GFLOP/s counts n^3 / 3 flops.
     */
    public Map<String, Object> cholesky(int[] sizes, Precision p, List<Path> paths, double maxSeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Path path : paths) {
            List<Object> rows = new ArrayList<>();
            for (int n : sizes) {
                Cholesky.Tuning base = Cholesky.Tuning.forDevice(rt.deviceTuning());
                Cholesky.Tuning t = switch (path) {
                    case UNBLOCKED -> base.withSmallMax(Integer.MAX_VALUE);
                    case BLOCKED -> base.withSmallMax(1);
                    case CLBLAST -> base.withSmallMax(1).withClblastFrom(1);
                };
                double[] a = spd(n, 100, n);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("n", n);
                try (Cholesky chol = new Cholesky(rt, p, n, t);
                     DeviceArray h = rt.upload(p, a)) {
                    chol.factor(h, 0, false); // warm-up: builds kernels (CLBlast compiles its own)
                    rt.finish();
                    long t0 = System.nanoTime();
                    chol.factor(h, 0, false);
                    rt.finish();
                    double once = (System.nanoTime() - t0) * 1e-9;
                    int reps = once > 1 ? Math.min(3, repeats) : repeats;
                    Timing.Result r = Timing.measure(rt, 0, reps, () -> chol.factor(h, 0, false));
                    Cholesky.Info info = chol.readInfo();
                    row.put("ok", info.ok());
                    row.putAll(r.wall().toJson());
                    row.put("device_median_s", r.device().median());
                    row.put("gflops_wall", (double) n * n * n / 3 / r.wall().median() / 1e9);
                    if (r.wall().median() > maxSeconds) {
                        rows.add(row);
                        break;
                    }
                }
                rows.add(row);
            }
            out.put(path.name().toLowerCase(java.util.Locale.ROOT), rows);
        }
        return out;
    }

    /** Everything: the Newton step on seed 000's 1M x 11 in both precisions, Cholesky for 64 .. 4096. */
    public Map<String, Object> run(int rows, double maxSeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("device", rt.device().name());
        List<Precision> precisions = rt.device().fp64() ? List.of(Precision.FP32, Precision.FP64) : List.of(Precision.FP32);
        for (Precision p : precisions) {
            out.put("newton_step_" + p.label(), newtonStep(rows, Generators.SEED000_FEATURES, p, false));
            if (p == Precision.FP32 && rt.device().fp64()) {
                out.put("newton_step_fp32_refined", newtonStep(rows, Generators.SEED000_FEATURES, p, true));
            }
        }
        int[] sizes = {64, 128, 256, 512, 1024, 2048, 4096};
        for (Precision p : precisions) {
            out.put("cholesky_" + p.label(), cholesky(sizes, p, List.of(Path.values()), maxSeconds));
        }
        return out;
    }

    /** A symmetric matrix with eigenvalues geometric from 1 to kappa, dense through three reflections. */
    /** The largest n whose n x n matrix one Java array holds. */
    public static final int MAX_SQUARE = (int) Math.sqrt(Generators.MAX_ARRAY);

    /**
     * {@code n} when an n x n matrix (a GEMM operand, a Cholesky's matrix) fits one Java array and
     * is at least 1 x 1; else a usage error naming {@code option} and the largest n that does.
     */
    public static int squareSize(String option, int n) {
        if (n < 1) {
            throw new UsageException(option + " " + n + ": must be at least 1");
        }
        if (n > MAX_SQUARE) {
            throw new UsageException(option + " " + n + ": an n x n matrix of " + (long) n * n
                    + " values is more than one Java array holds; use n <= " + MAX_SQUARE);
        }
        return n;
    }

    public static double[] spd(int n, double kappa, long seed) {
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) m[i * n + i] = n == 1 ? 1 : Math.pow(kappa, i / (double) (n - 1));
        Random rnd = new Random(seed);
        double[] v = new double[n];
        double[] w = new double[n];
        for (int r = 0; r < 3; r++) {
            double vv = 0;
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextGaussian();
                vv += v[i] * v[i];
            }
            // m <- P m P, P = I - 2 v v' / v'v
            for (int k = 0; k < n; k++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += v[i] * m[i * n + k];
                w[k] = 2 * s / vv;
            }
            for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) m[i * n + k] -= v[i] * w[k];
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += m[i * n + k] * v[k];
                w[i] = 2 * s / vv;
            }
            for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) m[i * n + k] -= w[i] * v[k];
        }
        for (int i = 0; i < n; i++) {
            for (int k = i + 1; k < n; k++) {
                double a = 0.5 * (m[i * n + k] + m[k * n + i]);
                m[i * n + k] = a;
                m[k * n + i] = a;
            }
        }
        return m;
    }

    private static double relError(double[] x, double[] y) {
        double d = 0, s = 0;
        for (int i = 0; i < x.length; i++) {
            d += (x[i] - y[i]) * (x[i] - y[i]);
            s += y[i] * y[i];
        }
        return Math.sqrt(d / s);
    }
}
