package io.descent.objective;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceTuning;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.data.DeviceDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static io.descent.objective.LinearModelTest.assertWithin;
import static io.descent.objective.LinearModelTest.model;
import static io.descent.objective.LinearModelTest.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linear and logistic models of {@code WIDE_FROM} or more parameters take wide.cl's two passes
 * (rows, then columns). Every quantity is checked against {@link LinearReference} in float32 and
 * float64: at the width where the tuning entry switches, at 1,000 parameters, and, through a
 * runtime whose {@code WIDE_FROM} is 2, at the narrow models' sizes, side by side with the fused
 * kernels.
 */
class WideModelTest {
    private static ClRuntime forcedWide;

    /** The test device with its own tuning entry, but every linear model wide. */
    static synchronized ClRuntime forcedWide() {
        if (forcedWide == null) {
            ClRuntime rt = TestDevices.runtime();
            forcedWide = ClRuntime.open(rt.device(), DeviceTuning.named(rt.deviceTuning().entryName(), rt.device(),
                    "WIDE_FROM=2"));
        }
        return forcedWide;
    }

    @AfterAll
    static void closeForced() {
        if (forcedWide != null) forcedWide.close();
    }

    static Stream<Arguments> widths() {
        int from = TestDevices.runtime().deviceTuning().get(DeviceTuning.Key.WIDE_FROM);
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (boolean logistic : new boolean[]{false, true}) {
                b.add(Arguments.of(p, logistic, from - 1, true, 3001));   // p = WIDE_FROM exactly
                b.add(Arguments.of(p, logistic, Math.max(1000, from + 500), false, 517));
                b.add(Arguments.of(p, logistic, from + 6, true, 1));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} logistic={1} k={2} intercept={3} n={4}")
    @MethodSource("widths")
    void wideModelsMatchTheReference(Precision prec, boolean logistic, int k, boolean intercept, int n) {
        ClRuntime rt = TestDevices.runtime();
        LinearModelTest.Problem pr = problem(n, k, logistic, intercept, 0.01, 13L * k + n + (logistic ? 1 : 0));
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), prec); LinearModel m = model(d, pr)) {
            assertTrue(m.isWide(), "p = " + m.parameterCount() + " takes wide.cl");
            checkAll(rt, m, pr, prec);
        }
    }

    static Stream<Arguments> narrowSizes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (boolean logistic : new boolean[]{false, true}) {
                for (int n : new int[]{1, 7, 100_003}) b.add(Arguments.of(p, logistic, n));
            }
        }
        return b.build();
    }

    /** The narrow models' sizes through wide.cl, next to the fused kernels on the same inputs. */
    @ParameterizedTest(name = "{0} logistic={1} n={2}")
    @MethodSource("narrowSizes")
    void twoPassesAgreeWithTheFusedKernels(Precision prec, boolean logistic, int n) {
        LinearModelTest.Problem pr = problem(n, 10, logistic, true, 0.01, n * 7L + (logistic ? 1 : 0));
        ClRuntime fusedRt = TestDevices.runtime();
        ClRuntime wideRt = forcedWide();
        double[] w = pr.w(prec);
        try (DeviceDataset fd = new DeviceDataset(fusedRt, pr.data(), prec); LinearModel fused = model(fd, pr);
             DeviceDataset wd = new DeviceDataset(wideRt, pr.data(), prec); LinearModel wide = model(wd, pr);
             DeviceArray fw = fusedRt.upload(prec, w); DeviceArray fg = fusedRt.allocate(prec, 11);
             DeviceArray ww = wideRt.upload(prec, w); DeviceArray wg = wideRt.allocate(prec, 11)) {
            assertFalse(fused.isWide(), "11 parameters: fused under the entry's WIDE_FROM");
            assertTrue(wide.isWide(), "WIDE_FROM=2: wide");
            checkAll(wideRt, wide, pr, prec);
            LinearReference ref = pr.reference(prec);
            double u = prec.unitRoundoff();
            double fl = fused.lossAndGradient(fw, fg), wl = wide.lossAndGradient(ww, wg);
            double[] lt = {2 * ref.lossTolerance(w, u)};
            assertWithin(new double[]{fl}, new double[]{wl}, lt, 2 * u, "wide loss against the fused one");
            double[] gt = ref.gradientTolerance(w, u);
            for (int j = 0; j < gt.length; j++) gt[j] *= 2;
            assertWithin(fg.read(), wg.read(), gt, 2 * u, "wide gradient against the fused one");
        }
    }

    static Stream<Arguments> panelEdges() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            // wide.cl sweeps 256 columns per panel: one panel exactly, one column past it, two exactly
            b.add(Arguments.of(p, true, 256, false));
            b.add(Arguments.of(p, false, 256, true));
            b.add(Arguments.of(p, true, 511, true));
        }
        return b.build();
    }

    /** Widths at the edges of the row passes' panels of columns, through the forced-wide runtime. */
    @ParameterizedTest(name = "{0} logistic={1} k={2} intercept={3}")
    @MethodSource("panelEdges")
    void panelEdgesMatchTheReference(Precision prec, boolean logistic, int k, boolean intercept) {
        ClRuntime rt = forcedWide();
        LinearModelTest.Problem pr = problem(45, k, logistic, intercept, 0.01, 3L * k + (intercept ? 1 : 0));
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), prec); LinearModel m = model(d, pr)) {
            assertTrue(m.isWide());
            checkAll(rt, m, pr, prec);
        }
    }

    /** A mini-batch drawn with replacement, larger than the data: the per-row arrays must grow. */
    @Test
    void aBatchWithRepeatedRowsGathersThemAll() {
        ClRuntime rt = forcedWide();
        Precision prec = Precision.FP64;
        int n = 300, k = 6;
        LinearModelTest.Problem pr = problem(n, k, true, true, 0.0, 5);
        int[] rows = new Random(2).ints(n + 211, 0, n).toArray();
        LinearModelTest.Problem batch = LinearModelTest.gathered(pr, rows);
        try (DeviceDataset d = new DeviceDataset(rt, pr.data(), prec); LinearModel m = model(d, pr);
             IndexArray idx = IndexArray.upload(rt, rows)) {
            m.useRows(idx, rows.length);
            checkAll(rt, m, batch, prec);
            m.useAllRows();
            checkAll(rt, m, pr, prec);
        }
    }

    /** Loss, loss and gradient, H v and the losses at many steps of {@code m} against {@code pr}'s reference. */
    static void checkAll(ClRuntime rt, LinearModel m, LinearModelTest.Problem pr, Precision prec) {
        LinearReference ref = pr.reference(prec);
        double[] w = pr.w(prec);
        for (int i = 0; i < w.length; i++) w[i] = prec.round(w[i] * 0.3); // moderate |z| at any width
        int p = w.length;
        double u = prec.unitRoundoff();
        double[] v = new Random(p).doubles(p, -1, 1).map(prec::round).toArray();
        int steps = 9;
        double[] t = new double[steps];
        for (int c = 0; c < steps; c++) t[c] = prec.round(-0.4 + 0.1 * c);
        try (DeviceArray dw = rt.upload(prec, w); DeviceArray dv = rt.upload(prec, v); DeviceArray g = rt.allocate(prec, p);
             DeviceArray hv = rt.allocate(prec, p); DeviceArray dt = rt.upload(prec, t);
             DeviceArray out = rt.allocate(prec, steps)) {
            double[] lt = {ref.lossTolerance(w, u)};
            assertWithin(new double[]{ref.loss(w)}, new double[]{m.loss(dw)}, lt, u, "loss");
            assertWithin(new double[]{ref.loss(w)}, new double[]{m.lossAndGradient(dw, g)}, lt, u, "loss with the gradient");
            assertWithin(ref.gradient(w), g.read(), ref.gradientTolerance(w, u), u, "gradient");
            m.hessianVector(dw, dv, hv);
            assertWithin(hessianVector(ref, w, v), hv.read(), hessianVectorTolerance(ref, w, v, u), u, "H v");
            m.losses(dw, dv, dt, steps, out);
            double[] along = out.read();
            for (int c = 0; c < steps; c++) {
                double[] at = new double[p];
                for (int j = 0; j < p; j++) at[j] = w[j] + t[c] * v[j];
                // z + t q against x . (w + t v): (k + 2) u |t| |x| |v| per row apart, within twice the loss bound
                double tol = 2 * ref.lossTolerance(at, u) + 4 * u * Math.abs(ref.loss(at));
                assertEquals(ref.loss(at), along[c], tol, "loss at step " + c + " (t = " + t[c] + ")");
            }
        }
    }

    /** (1/n) sum_i l''(z_i) (x_i . v) x_i + 2 alpha v (intercept unpenalised), summed compensated. */
    static double[] hessianVector(LinearReference r, double[] w, double[] v) {
        int p = r.p();
        LinearReference.Neumaier[] s = LinearReference.Neumaier.array(p);
        for (int i = 0; i < r.n; i++) {
            double q = r.z(i, v);
            double d = r.d2(r.z(i, w)) * q;
            for (int j = 0; j < p; j++) s[j].add(d * r.feature(i, j));
        }
        double[] hv = new double[p];
        for (int j = 0; j < p; j++) {
            hv[j] = s[j].value() / r.n + (r.intercept && j == 0 ? 0 : 2 * r.alpha * v[j]);
        }
        return hv;
    }

    /**
     * First-order bound in u, as the reference's others: z and x . v each err by (k + 2) u of their
     * terms' magnitude, which moves l'' by at most 0.1 |dz| (logistic); the product and the sums add
     * SUM_CHAIN u of each term.
     */
    static double[] hessianVectorTolerance(LinearReference r, double[] w, double[] v, double u) {
        int p = r.p();
        double[] t = new double[p];
        for (int i = 0; i < r.n; i++) {
            double z = r.z(i, w);
            double q = Math.abs(r.z(i, v));
            double qAbs = 0;
            for (int j = 0; j < p; j++) qAbs += Math.abs(r.feature(i, j) * v[j]);
            double dErr = (r.logistic ? (r.k + 2) * 0.1 * r.zAbs(i, w) * q : 0) + (r.k + 2) * r.d2(z) * qAbs
                    + (8 + LinearReference.SUM_CHAIN) * r.d2(z) * q;
            for (int j = 0; j < p; j++) t[j] += dErr * Math.abs(r.feature(i, j));
        }
        for (int j = 0; j < p; j++) {
            t[j] = (u + LinearReference.U64) * (t[j] / r.n + 4 * r.alpha * Math.abs(v[j])) + 1e-300;
        }
        return t;
    }
}
