package io.descent.objective;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.objective.MlpReference.Kind;
import io.descent.objective.MlpSpec.Activation;
import io.descent.objective.MlpSpec.Loss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link Mlp} on the real device against {@link MlpReference} (plain Java, float64), in float32 and
 * float64, for small networks of odd sizes with every activation and both losses, seed 000's shapes,
 * and tunings that put several tiles on one work-group.
 *
 * <p><b>Tolerances.</b> The reference runs on the values the device holds (data, parameters and
 * vectors rounded to the device's precision), so what is left is the device's rounding. For each
 * quantity q the reference also computes a magnitude M_q (the same computation on absolute values with
 * bounded derivative factors, see MlpReference), and a first-order error analysis gives
 * |q_device - q| <= gamma u M_q, u = 2^-24 (fp32) or 2^-53 (fp64), gamma = MlpReference.chain: the
 * roundings along the longest chain of operations (dot products, function evaluations at 4 ulps, the
 * mean over n rows as a chain of n additions). The checks use 2 gamma u M_q: the factor 2 covers
 * the first-order terms with a factor two (d(1 - a^2) = -2a da, the product rule of the R-passes) and
 * the second-order terms. For the 3-5-4-1 networks on 37 rows gamma is 71 (loss) to 174 (curvature),
 * so fp32 checks sit at about 1e-5 M_q; a wrong index or a missing term gives errors of order M_q.
 *
 * <p><b>Finite differences</b> (of the float64 reference) use central differences with step
 * h = 1e-5: truncation h^2/6 |f'''| ~ 2e-11 and cancellation ~ 2^-53 |f| / h ~ 2e-11 for the O(1)
 * values here, so they are held to 1e-6 (1 + scale), scale the largest value compared: far above
 * the differences' own error, far below the error of a wrong derivative. ReLU networks use data
 * whose hidden pre-activations are all at least 1e-3 away from the kink (rows closer are dropped),
 * so neither the device's rounding (~1e-5) nor a difference step (moves z by ~1e-4) crosses it.
 */
class MlpTest {
    static final double H = 1e-5;
    static final double FD_REL = 1e-6;
    static final double KINK_MARGIN = 1e-3;

    record Case(String label, MlpSpec spec, int rows, Precision precision, MlpTuning tuning) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Case small(Activation act, Loss loss, Precision p) {
        return new Case(p.label() + " 3-5-4-1 " + act.label() + " " + loss.label(),
                new MlpSpec(3, List.of(5, 4), act, loss), 37, p, null);
    }

    static Stream<Case> smallCases() {
        List<Case> cs = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (Activation a : Activation.values()) {
                for (Loss l : Loss.values()) cs.add(small(a, l, p));
            }
        }
        return cs.stream();
    }

    /**
     * Seed 000's networks on few rows (several tiles in fp64), and odd tunings: VEC = 1 with 4 items per
     * group as on a GPU, several chunks per item, several tiles per group, partial last tiles.
     */
    static Stream<Case> otherCases() {
        List<Case> cs = new ArrayList<>();
        for (Precision p : Precision.values()) {
            cs.add(new Case(p.label() + " seed 20-10x6-1 identity", MlpSpec.seed000(20, 10, 5, Activation.IDENTITY),
                    200, p, null));
            cs.add(new Case(p.label() + " seed 10-10x3-1 relu", MlpSpec.seed000(10, 10, 2, Activation.RELU), 150, p,
                    null));
            MlpSpec odd = new MlpSpec(3, List.of(5, 4), Activation.TANH, Loss.BCE);
            cs.add(new Case(p.label() + " tanh bce, 1 row x 4 items, 2 groups", odd, 37, p, new MlpTuning(1, 4, 1, 2)));
            cs.add(new Case(p.label() + " sigmoid mse, 4 rows x 3 chunks x 1 item, 2 groups",
                    new MlpSpec(3, List.of(5, 4), Activation.SIGMOID, Loss.MSE), 37, p, new MlpTuning(4, 1, 3, 2)));
            cs.add(new Case(p.label() + " relu mse, 2 rows x 2 chunks x 2 items, 3 groups",
                    new MlpSpec(3, List.of(5, 4), Activation.RELU, Loss.MSE), 37, p, new MlpTuning(2, 2, 2, 3)));
        }
        return cs.stream();
    }

    static Stream<Case> allCases() {
        return Stream.concat(smallCases(), otherCases());
    }

    /** Data, parameters, the device objective and the two references of one case. */
    static final class Fixture implements AutoCloseable {
        final Case c;
        final Precision p;
        final Dataset data;
        final double[] w;
        final MlpReference ref;
        final MlpReference mag;
        final DeviceDataset dd;
        final Mlp mlp;
        final DeviceArray dw;

        Fixture(Case c) {
            this(c, Mlp.Curvature.EXACT);
        }

        Fixture(Case c, Mlp.Curvature curvature) {
            this.c = c;
            this.p = c.precision();
            this.ref = new MlpReference(c.spec(), false);
            this.mag = new MlpReference(c.spec(), true);
            long seed = c.label().hashCode();
            this.w = round(p, c.spec().initialParameters(new Random(seed)));
            Dataset d = dataset(c.spec(), c.rows(), p, new Random(seed + 1));
            this.data = c.spec().activation() == Activation.RELU ? awayFromKinks(d, w) : d;
            ClRuntime rt = TestDevices.runtime();
            this.dd = new DeviceDataset(rt, data, p);
            this.mlp = c.tuning() == null ? new Mlp(dd, c.spec(), curvature)
                    : new Mlp(dd, c.spec(), curvature, c.tuning());
            this.dw = rt.upload(p, w);
        }

        /** Rows whose hidden pre-activations are all at least KINK_MARGIN from 0. */
        private Dataset awayFromKinks(Dataset d, double[] w) {
            List<Integer> keep = new ArrayList<>();
            for (int r = 0; r < d.rows(); r++) {
                if (ref.smallestHiddenPreactivation(w, subset(d, new int[]{r})) >= KINK_MARGIN) keep.add(r);
            }
            assertTrue(keep.size() >= d.rows() * 3 / 4, "too many rows near a ReLU kink: " + keep.size());
            return subset(d, keep.stream().mapToInt(Integer::intValue).toArray());
        }

        double u() {
            return p.unitRoundoff();
        }

        /** 2 gamma u M, the bound for a quantity of that kind with magnitude m. */
        double tol(Kind kind, double m) {
            return 2.0 * MlpReference.chain(c.spec(), kind, data.rows()) * u() * m;
        }

        DeviceArray upload(double[] v) {
            return TestDevices.runtime().upload(p, v);
        }

        DeviceArray allocate(long n) {
            return TestDevices.runtime().allocate(p, n);
        }

        @Override
        public void close() {
            dw.close();
            mlp.close();
            dd.close();
        }
    }

    static double[] round(Precision p, double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = p.round(v[i]);
        return r;
    }

    static double[] gaussian(Precision p, int n, Random rnd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = p.round(rnd.nextGaussian());
        return v;
    }

    /** x ~ N(0, 1); MSE: y = sum(x) + N(0, 0.1^2) as in seed 000; BCE: y = [sum(x) + N(0, 1) > 0]. */
    static Dataset dataset(MlpSpec spec, int rows, Precision p, Random rnd) {
        int cols = spec.dimIn();
        double[] x = gaussian(p, rows * cols, rnd);
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < cols; j++) s += x[r * cols + j];
            y[r] = spec.loss() == Loss.MSE ? p.round(s + 0.1 * rnd.nextGaussian()) : (s + rnd.nextGaussian() > 0 ? 1 : 0);
        }
        return Dataset.of("mlp-test", rows, cols, x, y);
    }

    static Dataset subset(Dataset d, int[] rows) {
        double[] x = new double[rows.length * d.cols()];
        double[] y = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < d.cols(); j++) x[i * d.cols() + j] = d.x(rows[i], j);
            y[i] = d.y()[rows[i]];
        }
        return Dataset.of(d.name() + "-subset", rows.length, d.cols(), x, y);
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    static double[] abs(double[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }

    /** Component-wise |got - want| <= tol[k]. */
    static void assertClose(double[] want, double[] got, double[] tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int k = 0; k < want.length; k++) {
            if (!(Math.abs(got[k] - want[k]) <= tol[k])) {
                fail(String.format("%s[%d]: got %.10g, want %.10g, |diff| %.3g > tolerance %.3g", what, k, got[k],
                        want[k], Math.abs(got[k] - want[k]), tol[k]));
            }
        }
    }

    static double[] scaled(double[] m, double f) {
        double[] t = new double[m.length];
        for (int i = 0; i < m.length; i++) t[i] = f * m[i];
        return t;
    }

    static double[] plus(double[] a, double[] b) {
        double[] t = new double[a.length];
        for (int i = 0; i < a.length; i++) t[i] = a[i] + b[i];
        return t;
    }

    static double[] constant(int n, double v) {
        double[] t = new double[n];
        Arrays.fill(t, v);
        return t;
    }

    static double[] axpy(double[] w, double t, double[] d) {
        double[] r = new double[w.length];
        for (int i = 0; i < w.length; i++) r[i] = w[i] + t * d[i];
        return r;
    }

    // ---- loss and gradient ----------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void lossMatchesReference(Case c) {
        try (Fixture f = new Fixture(c)) {
            double want = f.ref.loss(f.w, f.data, null);
            double got = f.mlp.loss(f.dw);
            double tol = f.tol(Kind.LOSS, f.mag.loss(f.w, f.data, null));
            assertEquals(want, got, tol, "loss");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void gradientMatchesBackpropAndFiniteDifferences(Case c) {
        try (Fixture f = new Fixture(c); DeviceArray g = f.allocate(f.w.length)) {
            double loss = f.mlp.lossAndGradient(f.dw, g);
            double[] got = g.read();
            double[] want = f.ref.gradient(f.w, f.data, null);
            double[] tol = scaled(f.mag.gradient(f.w, f.data, null), f.tol(Kind.GRADIENT, 1));
            assertEquals(f.ref.loss(f.w, f.data, null), loss, f.tol(Kind.LOSS, f.mag.loss(f.w, f.data, null)), "loss");
            assertClose(want, got, tol, "gradient vs backprop");

            double[] fd = new double[f.w.length];
            for (int k = 0; k < fd.length; k++) {
                double[] wp = f.w.clone(), wm = f.w.clone();
                wp[k] += H;
                wm[k] -= H;
                fd[k] = (f.ref.loss(wp, f.data, null) - f.ref.loss(wm, f.data, null)) / (2 * H);
            }
            double fdTol = FD_REL * (1 + Math.abs(loss) + maxAbs(want));
            assertClose(fd, want, constant(fd.length, fdTol), "reference backprop vs finite differences");
            assertClose(fd, got, plus(tol, constant(fd.length, fdTol)), "gradient vs finite differences");
        }
    }

    // ---- curvature ------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void hessianVectorMatchesROperatorAndFiniteDifferences(Case c) {
        try (Fixture f = new Fixture(c); DeviceArray hv = f.allocate(f.w.length)) {
            double[] v = gaussian(f.p, f.w.length, new Random(7));
            try (DeviceArray dv = f.upload(v)) {
                f.mlp.hessianVector(f.dw, dv, hv);
            }
            double[] got = hv.read();
            double[] want = f.ref.hessianVector(f.w, v, f.data, null);
            double[] tol = scaled(f.mag.hessianVector(f.w, v, f.data, null), f.tol(Kind.CURVATURE, 1));
            assertClose(want, got, tol, "Hv vs R-operator");

            double[] gp = f.ref.gradient(axpy(f.w, H, v), f.data, null);
            double[] gm = f.ref.gradient(axpy(f.w, -H, v), f.data, null);
            double[] fd = new double[v.length];
            for (int k = 0; k < v.length; k++) fd[k] = (gp[k] - gm[k]) / (2 * H);
            double fdTol = FD_REL * (1 + maxAbs(want) + maxAbs(gp));
            assertClose(fd, want, constant(fd.length, fdTol), "reference R-operator vs finite differences");
            assertClose(fd, got, plus(tol, constant(fd.length, fdTol)), "Hv vs finite differences");
            assertEquals(1, f.mlp.count(Objective.Count.HESSIAN_VECTOR));
        }
    }

    /** Dense Hessian: exactly symmetric, equal to the reference and to the device's own H e_k. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void denseHessianIsSymmetricAndMatchesColumns(Case c) {
        try (Fixture f = new Fixture(c); DeviceArray dh = f.allocate((long) f.w.length * f.w.length);
             DeviceArray e = f.allocate(f.w.length); DeviceArray col = f.allocate(f.w.length)) {
            int p = f.w.length;
            f.mlp.hessian(f.dw, dh);
            double[] h = dh.read();
            double[] want = f.ref.hessian(f.w, f.data);
            double[] m = f.mag.hessian(f.w, f.data);
            double t1 = f.tol(Kind.CURVATURE, 1);
            double[] tol = new double[p * p];
            for (int j = 0; j < p; j++) {
                for (int k = 0; k < p; k++) {
                    assertEquals(h[j * p + k], h[k * p + j], 0.0, "H symmetric at " + j + ", " + k);
                    tol[j * p + k] = t1 * Math.max(m[j * p + k], m[k * p + j]);
                }
            }
            assertClose(want, h, tol, "H vs reference");
            // columns: H e_k from hessianVector (every column of the small nets, a spread of the seed's)
            int stride = p > 100 ? 37 : 1;
            for (int k = 0; k < p; k += stride) {
                double[] unit = new double[p];
                unit[k] = 1;
                e.write(unit);
                f.mlp.hessianVector(f.dw, e, col);
                double[] hk = col.read();
                double[] hcol = Arrays.copyOfRange(h, k * p, (k + 1) * p);
                double[] tk = Arrays.copyOfRange(tol, k * p, (k + 1) * p);
                assertClose(hcol, hk, scaled(tk, 2), "H e_" + k + " vs column " + k);
            }
            // finite differences of the reference gradient, for the small networks
            if (p <= 100) {
                double[] fd = new double[p * p];
                for (int k = 0; k < p; k++) {
                    double[] unit = new double[p];
                    unit[k] = 1;
                    double[] gp = f.ref.gradient(axpy(f.w, H, unit), f.data, null);
                    double[] gm = f.ref.gradient(axpy(f.w, -H, unit), f.data, null);
                    for (int j = 0; j < p; j++) fd[k * p + j] = (gp[j] - gm[j]) / (2 * H);
                }
                double fdTol = FD_REL * (1 + maxAbs(want) + maxAbs(f.ref.gradient(f.w, f.data, null)));
                assertClose(fd, h, plus(tol, constant(p * p, fdTol)), "H vs finite differences");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void gaussNewtonMatchesJacobianProduct(Case c) {
        try (Fixture f = new Fixture(c, Mlp.Curvature.GAUSS_NEWTON);
             DeviceArray dg = f.allocate((long) f.w.length * f.w.length); DeviceArray gv = f.allocate(f.w.length)) {
            int p = f.w.length;
            double[] want = f.ref.gaussNewton(f.w, f.data);
            double[] m = f.mag.gaussNewton(f.w, f.data);
            double t1 = f.tol(Kind.CURVATURE, 1);
            f.mlp.hessian(f.dw, dg);
            double[] g = dg.read();
            double[] tol = new double[p * p];
            for (int j = 0; j < p; j++) {
                for (int k = 0; k < p; k++) {
                    assertEquals(g[j * p + k], g[k * p + j], 0.0, "G symmetric");
                    tol[j * p + k] = t1 * m[j * p + k];
                }
            }
            assertClose(want, g, tol, "G vs J'DJ");

            double[] v = gaussian(f.p, p, new Random(11));
            try (DeviceArray dv = f.upload(v)) {
                f.mlp.hessianVector(f.dw, dv, gv);
            }
            double[] got = gv.read();
            double[] wantV = MlpReference.matVec(want, v);
            double[] tolV = scaled(MlpReference.matVec(m, abs(v)), t1);
            assertClose(wantV, got, tolV, "G v vs J'DJ v");
            double vgv = 0, bound = 0;
            for (int k = 0; k < p; k++) {
                vgv += v[k] * got[k];
                bound += Math.abs(v[k]) * tolV[k];
            }
            assertTrue(vgv >= -bound, "G is positive semi-definite: v'Gv = " + vgv);
        }
    }

    /** A network without hidden layers is linear in its parameters: then G = H (exactly in theory). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Loss.class)
    void gaussNewtonEqualsHessianWhenLinearInParameters(Loss loss) {
        for (Precision pr : Precision.values()) {
            Case c = new Case(pr.label() + " linear " + loss.label(), new MlpSpec(4, List.of(), Activation.TANH, loss),
                    41, pr, null);
            try (Fixture f = new Fixture(c); Fixture g = new Fixture(c, Mlp.Curvature.GAUSS_NEWTON);
                 DeviceArray dh = f.allocate(25); DeviceArray dg = f.allocate(25)) {
                f.mlp.hessian(f.dw, dh);
                g.mlp.hessian(g.dw, dg);
                double[] m = f.mag.hessian(f.w, f.data);
                assertClose(dh.read(), dg.read(), scaled(m, 2 * f.tol(Kind.CURVATURE, 1)), "G vs H");
            }
        }
    }

    // ---- line search, batches, initialisation --------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("allCases")
    void lossesAtStepsEqualOneLossPerStep(Case c) {
        try (Fixture f = new Fixture(c); DeviceArray out = f.allocate(Objective.MAX_STEPS);
             DeviceArray one = f.allocate(1)) {
            double[] d = gaussian(f.p, f.w.length, new Random(3));
            double[] steps = round(f.p, new double[]{0, 1e-3, -0.05, 0.1, 0.5, 1, 2});
            try (DeviceArray dd = f.upload(d); DeviceArray ds = f.upload(steps)) {
                f.mlp.losses(f.dw, dd, ds, steps.length, out);
                double[] got = out.read(0, steps.length);
                for (int j = 0; j < steps.length; j++) {
                    double[] wj = round(f.p, axpy(f.w, steps[j], d));
                    try (DeviceArray dwj = f.upload(wj)) {
                        f.mlp.loss(dwj, one, 0);
                    }
                    // both evaluate at w + t d rounded to the device precision (possibly differently): one
                    // more rounding in each chain, so 2 gamma becomes 2 (gamma + 2); the two values may
                    // err in opposite directions, hence twice that
                    double tol = 2 * 2 * (MlpReference.chain(c.spec(), Kind.LOSS, f.data.rows()) + 2) * f.u()
                            * f.mag.loss(wj, f.data, null);
                    assertEquals(one.get(0), got[j], tol, "loss at step " + steps[j]);
                }
            }
            assertEquals(2L * steps.length, f.mlp.count(Objective.Count.LOSS), "m for losses, 1 per loss");
        }
    }

    @Test
    void lossesAtMaxStepsInOneCall() {
        Case c = small(Activation.TANH, Loss.MSE, Precision.FP64);
        try (Fixture f = new Fixture(c); DeviceArray out = f.allocate(Objective.MAX_STEPS)) {
            int m = Objective.MAX_STEPS;
            double[] d = gaussian(f.p, f.w.length, new Random(5));
            double[] steps = new double[m];
            for (int j = 0; j < m; j++) steps[j] = (j - 20) * 0.01;
            try (DeviceArray dd = f.upload(d); DeviceArray ds = f.upload(steps)) {
                f.mlp.losses(f.dw, dd, ds, m, out);
            }
            double[] got = out.read();
            for (int j = 0; j < m; j++) {
                double[] wj = axpy(f.w, steps[j], d);
                double tol = 2 * (MlpReference.chain(c.spec(), Kind.LOSS, f.data.rows()) + 2) * f.u()
                        * f.mag.loss(wj, f.data, null);
                assertEquals(f.ref.loss(wj, f.data, null), got[j], tol, "step " + steps[j]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherCases")
    void miniBatchGradientEqualsGradientOverThoseRows(Case c) {
        try (Fixture f = new Fixture(c); DeviceArray g = f.allocate(f.w.length)) {
            int n = f.data.rows();
            Random rnd = new Random(9);
            int count = Math.max(3, n / 3);
            int[] rows = new int[count];
            for (int i = 0; i < count; i++) rows[i] = rnd.nextInt(n); // repeats allowed, any order
            Dataset sub = subset(f.data, rows);
            try (IndexArray idx = IndexArray.upload(TestDevices.runtime(), rows);
                 DeviceDataset dsub = new DeviceDataset(TestDevices.runtime(), sub, f.p);
                 Mlp whole = c.tuning() == null ? new Mlp(dsub, c.spec()) : new Mlp(dsub, c.spec(), Mlp.Curvature.EXACT,
                         c.tuning());
                 DeviceArray g2 = f.allocate(f.w.length)) {
                f.mlp.useRows(idx, count);
                assertEquals(count, f.mlp.batchRows());
                double lb = f.mlp.lossAndGradient(f.dw, g);
                double lw = whole.lossAndGradient(f.dw, g2);
                double[] tol = scaled(f.mag.gradient(f.w, sub, null), 2 * f.tol(Kind.GRADIENT, 1));
                assertEquals(lw, lb, 2 * f.tol(Kind.LOSS, f.mag.loss(f.w, sub, null)), "mini-batch loss");
                assertClose(g2.read(), g.read(), tol, "mini-batch gradient vs gradient over the subset");
                assertClose(f.ref.gradient(f.w, f.data, rows), g.read(), scaled(tol, 0.5), "vs reference");
                f.mlp.useAllRows();
                assertEquals(n, f.mlp.batchRows());
                f.mlp.lossAndGradient(f.dw, g);
                assertClose(f.ref.gradient(f.w, f.data, null), g.read(),
                        scaled(f.mag.gradient(f.w, f.data, null), f.tol(Kind.GRADIENT, 1)), "full batch again");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void initialisationIsSeededAndBounded(Activation act) {
        MlpSpec spec = MlpSpec.seed000(20, 10, 5, act);
        double[] a = spec.initialParameters(new Random(42));
        assertArrayEquals(a, spec.initialParameters(new Random(42)), 0.0, "same seed, same parameters");
        assertFalse(Arrays.equals(a, spec.initialParameters(new Random(43))), "another seed, other parameters");
        for (int l = 0; l < spec.layers(); l++) {
            int nin = spec.width(l), nout = spec.width(l + 1);
            boolean he = act == Activation.RELU && l + 1 < spec.layers();
            double lim = he ? Math.sqrt(6.0 / nin) : Math.sqrt(6.0 / (nin + nout));
            double max = 0;
            for (int k = spec.weightOffset(l); k < spec.biasOffset(l); k++) max = Math.max(max, Math.abs(a[k]));
            assertTrue(max <= lim && max > 0.5 * lim, "layer " + l + " weights within (0.5, 1] x " + lim + ": " + max);
            for (int k = spec.biasOffset(l); k < spec.weightOffset(l + 1); k++) {
                assertTrue(Math.abs(a[k]) <= 1 / Math.sqrt(nin), "bias within 1/sqrt(n_in)");
            }
        }
    }

    @Test
    void seedShapeAndLayout() {
        MlpSpec s = MlpSpec.seed000(20, 10, 5, Activation.IDENTITY);
        assertEquals(771, s.parameterCount());
        assertEquals(7, s.layers());
        assertEquals("20-10x6-1 identity mse", s.describe());
        assertEquals(200, s.biasOffset(0));
        assertEquals(210, s.weightOffset(1));
        assertEquals(760, s.weightOffset(6));
        assertEquals(770, s.biasOffset(6));
        assertEquals(4 * 3 + 3 + 1 * 3 + 1, new MlpSpec(4, List.of(3), Activation.RELU, Loss.BCE).parameterCount());
        assertEquals(5, new MlpSpec(4, List.of(), Activation.RELU, Loss.MSE).parameterCount());
    }

    @Test
    void closeReleasesEveryDeviceArray() {
        ClRuntime rt = TestDevices.runtime();
        int before = rt.liveArrays();
        try (Fixture f = new Fixture(small(Activation.RELU, Loss.BCE, Precision.FP32));
             DeviceArray h = f.allocate((long) f.w.length * f.w.length); DeviceArray g = f.allocate(f.w.length)) {
            f.mlp.hessian(f.dw, h); // allocates the dense-matrix buffers on first use
            f.mlp.lossAndGradient(f.dw, g);
            assertTrue(rt.liveArrays() > before);
        }
        assertEquals(before, rt.liveArrays(), "the objective closed all its arrays");
    }

    @Test
    void rejectsMismatchedDataAndTargets() {
        ClRuntime rt = TestDevices.runtime();
        Dataset d = dataset(new MlpSpec(3, List.of(2), Activation.TANH, Loss.MSE), 10, Precision.FP64, new Random(1));
        try (DeviceDataset dd = new DeviceDataset(rt, d, Precision.FP64)) {
            assertThrows(UsageException.class, () -> new Mlp(dd, new MlpSpec(4, List.of(2), Activation.TANH, Loss.MSE)));
            // MSE targets around sum(x) are not labels in [0, 1]
            assertThrows(UsageException.class, () -> new Mlp(dd, new MlpSpec(3, List.of(2), Activation.TANH, Loss.BCE)));
        }
        assertThrows(UsageException.class, () -> new MlpSpec(3, List.of(0), Activation.TANH, Loss.MSE));
    }
}
