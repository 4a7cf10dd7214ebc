package io.descent.objective;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linear and logistic regression on the device against {@link LinearReference} (plain Java,
 * float64). Device results are compared with the reference evaluated on the same rounded inputs,
 * within the first-order error bound documented there, plus one rounding of each output.
 */
class LinearModelTest {
    /** A random problem: k features N(0,1) + 0.3, weights N(0,1); targets linear+noise or 0/1 labels. */
    record Problem(Dataset data, double[] w, boolean logistic, boolean intercept, double alpha) {
        LinearReference reference(Precision p) {
            double[] x = data.x().clone();
            double[] y = data.y().clone();
            for (int i = 0; i < x.length; i++) x[i] = p.round(x[i]);
            for (int i = 0; i < y.length; i++) y[i] = p.round(y[i]);
            return new LinearReference(data.rows(), data.cols(), x, y, intercept, logistic, alpha);
        }

        double[] w(Precision p) {
            double[] r = w.clone();
            for (int i = 0; i < r.length; i++) r[i] = p.round(r[i]);
            return r;
        }
    }

    static Problem problem(int n, int k, boolean logistic, boolean intercept, double alpha, long seed) {
        Random rnd = new Random(seed);
        double[] x = new double[n * k];
        for (int i = 0; i < x.length; i++) x[i] = 0.3 + rnd.nextGaussian();
        int p = k + (intercept ? 1 : 0);
        double[] truth = new double[p];
        double[] w = new double[p];
        for (int j = 0; j < p; j++) {
            truth[j] = rnd.nextGaussian();
            w[j] = rnd.nextGaussian() * 0.5;
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double z = intercept ? truth[0] : 0;
            for (int j = 0; j < k; j++) z += x[i * k + j] * truth[j + (intercept ? 1 : 0)];
            y[i] = logistic ? (rnd.nextDouble() < LinearReference.sigmoid(z) ? 1 : 0) : z + 0.5 * rnd.nextGaussian();
        }
        return new Problem(Dataset.of("random", n, k, x, y), w, logistic, intercept, alpha);
    }

    /** The problem on rows {@code rows} of {@code pr}'s data, in that order, repeats kept (a mini-batch). */
    static Problem gathered(Problem pr, int[] rows) {
        int k = pr.data().cols();
        double[] bx = new double[rows.length * k], by = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(pr.data().x(), rows[i] * k, bx, i * k, k);
            by[i] = pr.data().y()[rows[i]];
        }
        return new Problem(Dataset.of("batch", rows.length, k, bx, by), pr.w(), pr.logistic(), pr.intercept(), pr.alpha());
    }

    static LinearModel model(DeviceDataset d, Problem pr) {
        return pr.logistic() ? new LogisticRegression(d, pr.intercept(), pr.alpha())
                : new LinearRegression(d, pr.intercept(), pr.alpha());
    }

    static void assertWithin(double[] expected, double[] actual, double[] tol, double u, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double bound = tol[i] + u * Math.abs(expected[i]); // + the final rounding of the output
            assertTrue(Math.abs(expected[i] - actual[i]) <= bound, String.format(
                    "%s[%d]: expected %.17g, got %.17g, |error| %.3g > bound %.3g", what, i, expected[i], actual[i],
                    Math.abs(expected[i] - actual[i]), bound));
        }
    }

    static Stream<Arguments> sizes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (boolean logistic : new boolean[]{false, true}) {
                for (int n : new int[]{1, 7, 1000, 100_003}) {
                    b.add(Arguments.of(p, logistic, n));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} logistic={1} n={2}")
    @MethodSource("sizes")
    void lossGradientAndHessianMatchTheFloat64Reference(Precision prec, boolean logistic, int n) {
        ClRuntime rt = TestDevices.runtime();
        Problem pr = problem(n, 10, logistic, true, 0.01, n * 7L + (logistic ? 1 : 0));
        LinearReference ref = pr.reference(prec);
        double[] w = pr.w(prec);
        double u = prec.unitRoundoff();
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), prec); LinearModel m = model(d, pr);
             DeviceArray dw = rt.upload(prec, w); DeviceArray g = rt.allocate(prec, m.parameterCount());
             DeviceArray h = rt.allocate(prec, (long) m.parameterCount() * m.parameterCount())) {
            double loss = m.loss(dw);
            assertWithin(new double[]{ref.loss(w)}, new double[]{loss}, new double[]{ref.lossTolerance(w, u)}, u, "loss");
            double lossG = m.lossAndGradient(dw, g);
            assertWithin(new double[]{ref.loss(w)}, new double[]{lossG}, new double[]{ref.lossTolerance(w, u)}, u,
                    "loss of lossAndGradient");
            assertWithin(ref.gradient(w), g.read(), ref.gradientTolerance(w, u), u, "gradient");
            m.hessian(dw, h);
            double[] hd = h.read();
            // The fused Hessian sums a tile's products in the working precision, as the gradient does
            // (RB + TILE_BLOCKS + log2(VEC) <= 43 additions, within SUM_CHAIN), then tiles in acc
            assertWithin(ref.hessian(w), hd, ref.hessianTolerance(w, u, u), u, "Hessian X'DX");
            int p = m.parameterCount();
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    assertEquals(hd[a * p + b], hd[b * p + a], 0.0, "symmetric");
                }
            }
            assertEquals(1, m.count(Objective.Count.LOSS));
            assertEquals(1, m.count(Objective.Count.GRADIENT));
            assertEquals(1, m.count(Objective.Count.HESSIAN));
        }
    }

    static Stream<Arguments> wide() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (boolean logistic : new boolean[]{false, true}) {
                b.add(Arguments.of(p, logistic, 70, true));
                b.add(Arguments.of(p, logistic, 129, false));
            }
        }
        return b.build();
    }

    /**
     * Past the fused kernel's 64 parameters the Hessian comes from gram.cl's tiles, split over rows,
     * or, where the tuning picks descent's GEMM engine (the cpu entry), from gemm.cl's SYRK.
     * gram.cl's sums run along up to n rows in one accumulator (float64 where the device has it) per
     * split, so the accumulation bound uses a chain of n (not the fused kernel's 64). gemm.cl sums in
     * the working precision, blocked: a slice of KC rows in registers, then the slices added into C,
     * a chain of KC + ceil(n / KC). Everything else is the reference's bound.
     */
    @ParameterizedTest(name = "{0} logistic={1} k={2} intercept={3}")
    @MethodSource("wide")
    void wideHessiansComeFromTilesAndMatchTheReference(Precision prec, boolean logistic, int k, boolean intercept) {
        ClRuntime rt = TestDevices.runtime();
        int n = 3001;
        Problem pr = problem(n, k, logistic, intercept, 0.01, 31L * k + (logistic ? 1 : 0));
        LinearReference ref = pr.reference(prec);
        double[] w = pr.w(prec);
        for (int i = 0; i < w.length; i++) w[i] = prec.round(w[i] * 0.3); // |z| moderate: logistic weights away from 0
        double u = prec.unitRoundoff();
        double uAcc = rt.device().fp64() ? Precision.FP64.unitRoundoff() : u;
        io.descent.cl.DeviceTuning t = rt.deviceTuning();
        boolean gemm = t.get(io.descent.cl.DeviceTuning.Key.GEMM_ENGINE) == 1;
        int kc = t.get(io.descent.cl.DeviceTuning.Key.GEMM_KC);
        java.util.function.IntToDoubleFunction chainUnit = rows -> gemm
                ? u * (Math.min(kc, rows) + Math.ceil(rows / (double) kc)) / LinearReference.SUM_CHAIN
                : uAcc * rows / LinearReference.SUM_CHAIN;
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), prec); LinearModel m = model(d, pr);
             DeviceArray dw = rt.upload(prec, w); DeviceArray h = rt.allocate(prec, (long) m.parameterCount() * m.parameterCount())) {
            int p = m.parameterCount();
            assertTrue(p > m.fusedHessianMax(), "p = " + p + " takes the tiled kernel");
            m.hessian(dw, h);
            double[] hd = h.read();
            assertWithin(ref.hessian(w), hd, ref.hessianTolerance(w, u, chainUnit.applyAsDouble(n)), u,
                    "tiled Hessian X'DX");
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < a; b++) assertEquals(hd[a * p + b], hd[b * p + a], 0.0, "symmetric");
            }
            int[] rows = new int[n + 499]; // drawn with replacement: more rows than the data (the weights must grow)
            java.util.Random r = new java.util.Random(k);
            for (int i = 0; i < rows.length; i++) rows[i] = r.nextInt(n);
            try (IndexArray idx = IndexArray.upload(rt, rows)) {
                m.useRows(idx, rows.length);
                m.hessian(dw, h);
                m.useAllRows();
            }
            LinearReference bref = gathered(pr, rows).reference(prec);
            assertWithin(bref.hessian(w), h.read(), bref.hessianTolerance(w, u, chainUnit.applyAsDouble(rows.length)),
                    u, "tiled Hessian of a gathered mini-batch");
        }
    }

    @ParameterizedTest(name = "logistic={0}")
    @MethodSource("models")
    void gradientAndHessianMatchFiniteDifferencesInFloat64(boolean logistic) {
        ClRuntime rt = TestDevices.runtime();
        Precision prec = Precision.FP64;
        Problem pr = problem(513, 6, logistic, true, 0.05, 99);
        double[] w = pr.w();
        int p = w.length;
        double hStep = 1e-5;
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), prec); LinearModel m = model(d, pr);
             DeviceArray dw = rt.upload(prec, w); DeviceArray g = rt.allocate(prec, p);
             DeviceArray gp = rt.allocate(prec, p); DeviceArray gm = rt.allocate(prec, p);
             DeviceArray h = rt.allocate(prec, (long) p * p); DeviceArray v = rt.allocate(prec, p);
             DeviceArray hv = rt.allocate(prec, p)) {
            m.lossAndGradient(dw, g);
            double[] grad = g.read();
            m.hessian(dw, h);
            double[] hess = h.read();
            double gScale = 0;
            for (double x : grad) gScale = Math.max(gScale, Math.abs(x));
            for (int j = 0; j < p; j++) {
                double[] wp = w.clone(), wm = w.clone();
                wp[j] += hStep;
                wm[j] -= hStep;
                dw.write(wp);
                double fp = m.lossAndGradient(dw, gp);
                dw.write(wm);
                double fm = m.lossAndGradient(dw, gm);
                // central differences: truncation O(h^2 f''') ~ 1e-10, cancellation ~ u f / h ~ 1e-11
                assertEquals((fp - fm) / (2 * hStep), grad[j], 1e-7 * (1 + gScale), "d f / d w_" + j);
                double[] gpa = gp.read(), gma = gm.read();
                for (int a = 0; a < p; a++) {
                    assertEquals((gpa[a] - gma[a]) / (2 * hStep), hess[a * p + j], 1e-7 * (1 + Math.abs(hess[a * p + j])),
                            "d g_" + a + " / d w_" + j);
                }
            }
            // Hessian-vector products equal the Hessian's columns and H times a random vector
            dw.write(w);
            Random rnd = new Random(5);
            double[] vec = rnd.doubles(p, -1, 1).toArray();
            v.write(vec);
            m.hessianVector(dw, v, hv);
            double[] got = hv.read();
            for (int a = 0; a < p; a++) {
                double e = 0, mag = 0;
                for (int b = 0; b < p; b++) {
                    e += hess[a * p + b] * vec[b];
                    mag += Math.abs(hess[a * p + b] * vec[b]);
                }
                assertEquals(e, got[a], 1e-13 * (mag + 1e-300) * 64, "(H v)_" + a);
            }
        }
    }

    static Stream<Boolean> models() {
        return Stream.of(false, true);
    }

    @ParameterizedTest(name = "{0} logistic={1}")
    @MethodSource("precisionsAndModels")
    void lossesAtManyStepsEqualOneLossPerStep(Precision prec, boolean logistic) {
        ClRuntime rt = TestDevices.runtime();
        Problem pr = problem(2001, 5, logistic, true, 0.1, 17);
        int p = pr.w().length;
        int m = Objective.MAX_STEPS;
        double[] steps = new double[m];
        for (int j = 0; j < m; j++) steps[j] = prec.round(-0.5 + j * 0.05);
        double[] dir = new Random(3).doubles(p, -1, 1).toArray();
        LinearReference ref = pr.reference(prec);
        double u = prec.unitRoundoff();
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), prec); LinearModel model = model(d, pr);
             DeviceArray dw = rt.upload(prec, pr.w()); DeviceArray dd = rt.upload(prec, dir);
             DeviceArray ds = rt.upload(prec, steps); DeviceArray out = rt.allocate(prec, m);
             DeviceArray wt = rt.allocate(prec, p)) {
            model.losses(dw, dd, ds, m, out);
            double[] batched = out.read();
            assertEquals(m, model.count(Objective.Count.LOSS), "m loss evaluations counted");
            double[] w = pr.w(prec), dr = pr.w(prec).clone();
            for (int i = 0; i < p; i++) dr[i] = prec.round(dir[i]);
            for (int j = 0; j < m; j++) {
                double[] at = new double[p];
                for (int i = 0; i < p; i++) at[i] = w[i] + steps[j] * dr[i];
                wt.write(at);
                double single = model.loss(wt);
                // both are the loss at w + t d up to rounding: z + t q versus x . (w + t d) differ by
                // about (k + 2) u |t| |x||d| per row, within the loss tolerance at the rounded point
                double[] atRounded = at.clone();
                for (int i = 0; i < p; i++) atRounded[i] = prec.round(at[i]);
                double tol = 2 * ref.lossTolerance(atRounded, u) + 4 * u * Math.abs(single);
                assertEquals(single, batched[j], tol, "step " + j + " (t = " + steps[j] + ")");
                assertEquals(ref.loss(at), batched[j], tol + ref.lossTolerance(at, u), "reference at step " + j);
            }
        }
    }

    static Stream<Arguments> precisionsAndModels() {
        return Stream.of(Arguments.of(Precision.FP32, false), Arguments.of(Precision.FP32, true),
                Arguments.of(Precision.FP64, false), Arguments.of(Precision.FP64, true));
    }

    @ParameterizedTest(name = "{0} logistic={1}")
    @MethodSource("precisionsAndModels")
    void miniBatchGradientEqualsGradientOverThoseRows(Precision prec, boolean logistic) {
        ClRuntime rt = TestDevices.runtime();
        Problem pr = problem(1000, 4, logistic, true, 0.0, 23);
        int[] rows = new Random(8).ints(0, 1000).distinct().limit(77).toArray();
        double[] sx = new double[rows.length * 4], sy = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(pr.data().x(), rows[r] * 4, sx, r * 4, 4);
            sy[r] = pr.data().y()[rows[r]];
        }
        Problem sub = new Problem(Dataset.of("subset", rows.length, 4, sx, sy), pr.w(), logistic, true, 0.0);
        LinearReference ref = sub.reference(prec);
        double[] w = sub.w(prec);
        double u = prec.unitRoundoff();
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), prec); LinearModel m = model(d, pr);
             IndexArray idx = IndexArray.upload(rt, rows); DeviceArray dw = rt.upload(prec, w);
             DeviceArray g = rt.allocate(prec, 5)) {
            m.useRows(idx, rows.length);
            assertEquals(77, m.batchRows());
            double loss = m.lossAndGradient(dw, g);
            assertWithin(new double[]{ref.loss(w)}, new double[]{loss}, new double[]{ref.lossTolerance(w, u)}, u,
                    "mini-batch loss");
            assertWithin(ref.gradient(w), g.read(), ref.gradientTolerance(w, u), u, "mini-batch gradient");
            m.useRows(idx, 10);
            Problem first10 = new Problem(Dataset.of("s10", 10, 4, java.util.Arrays.copyOf(sx, 40),
                    java.util.Arrays.copyOf(sy, 10)), pr.w(), logistic, true, 0.0);
            assertWithin(first10.reference(prec).gradient(w), gradient(m, dw, g),
                    first10.reference(prec).gradientTolerance(w, u), u, "first 10 rows of the index");
            m.useAllRows();
            assertEquals(1000, m.batchRows());
            LinearReference full = pr.reference(prec);
            assertWithin(full.gradient(w), gradient(m, dw, g), full.gradientTolerance(w, u), u, "full batch again");
        }
    }

    private static double[] gradient(LinearModel m, DeviceArray w, DeviceArray g) {
        m.lossAndGradient(w, g);
        return g.read();
    }

    @ParameterizedTest(name = "logistic={0}")
    @MethodSource("models")
    void float32AgreesWithFloat64WithinTheRoundingBound(boolean logistic) {
        ClRuntime rt = TestDevices.runtime();
        Problem pr = problem(100_003, 10, logistic, true, 0.0, 41);
        // exact data and weights: float32 rounds inputs once (u |x_j w_j| per term, inside zAbs) and
        // computes with u = 2^-24; the bound is the float32 bound of the float64 reference
        LinearReference ref = pr.reference(Precision.FP64);
        double u = Precision.FP32.unitRoundoff();
        double[] g32, g64;
        try (DeviceDataset d32 = new DeviceDataset(rt, pr.data(), Precision.FP32);
             DeviceDataset d64 = new DeviceDataset(rt, pr.data(), Precision.FP64);
             LinearModel m32 = model(d32, pr); LinearModel m64 = model(d64, pr);
             DeviceArray w32 = rt.upload(Precision.FP32, pr.w()); DeviceArray w64 = rt.upload(Precision.FP64, pr.w());
             DeviceArray gr32 = rt.allocate(Precision.FP32, 11); DeviceArray gr64 = rt.allocate(Precision.FP64, 11)) {
            double l32 = m32.lossAndGradient(w32, gr32);
            double l64 = m64.lossAndGradient(w64, gr64);
            g32 = gr32.read();
            g64 = gr64.read();
            double[] tol = ref.gradientTolerance(pr.w(), u);
            for (int j = 0; j < tol.length; j++) tol[j] *= 2; // inputs rounded too: twice the per-term share
            assertWithin(g64, g32, tol, u, "float32 gradient vs float64");
            assertEquals(l64, l32, 2 * ref.lossTolerance(pr.w(), u) + u * Math.abs(l64), "float32 loss vs float64");
        }
    }

    @Test
    void interceptIsNotPenalisedAndNamesComeFromTheData() {
        ClRuntime rt = TestDevices.runtime();
        Problem pr = problem(50, 2, false, true, 0.5, 1);
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), Precision.FP64);
             LinearModel m = new LinearRegression(d, true, 0.5)) {
            assertEquals(java.util.List.of("intercept", "x1", "x2"), java.util.List.of(m.parameterNames()));
            LinearReference ref = pr.reference(Precision.FP64);
            try (DeviceArray w = rt.upload(Precision.FP64, new double[]{3, 0, 0})) {
                double base = new LinearReference(50, 2, pr.data().x(), pr.data().y(), true, false, 0).loss(new double[]{3, 0, 0});
                assertEquals(base, m.loss(w), 1e-12 * Math.abs(base), "alpha ||w||^2 leaves w_0 out");
                assertEquals(ref.loss(new double[]{3, 0, 0}), m.loss(w), 1e-12 * Math.abs(base));
            }
        }
    }

    @Test
    void badInputsAreUserErrors() {
        ClRuntime rt = TestDevices.runtime();
        Problem pr = problem(20, 2, false, true, 0, 1);
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), Precision.FP64)) {
            UsageException labels = assertThrows(UsageException.class, () -> new LogisticRegression(d, true, 0));
            assertTrue(labels.getMessage().contains("labels 0 or 1") && labels.getMessage().contains("row "),
                    labels.getMessage());
            UsageException alpha = assertThrows(UsageException.class, () -> new LinearRegression(d, true, -1));
            assertTrue(alpha.getMessage().contains("alpha = -1.0"), alpha.getMessage());
            try (LinearModel m = new LinearRegression(d, true, 0); DeviceArray wrong = rt.allocate(Precision.FP64, 2)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loss(wrong));
                assertTrue(e.getMessage().contains("3 fp64 values"), e.getMessage());
            }
        }
    }
}
