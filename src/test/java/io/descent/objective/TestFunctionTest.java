package io.descent.objective;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.linalg.ExactSum;
import io.descent.profile.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed-002 test functions on the device against a plain-Java float64 reference written here
 * from the formulas (not from the kernels), in float32 and float64, at fixed-seed random points.
 *
 * <p><b>Tolerances.</b> The reference is evaluated at the point the device holds (rounded to the
 * precision, c too), so only the device's own rounding is left. For a formula built from +, -, *,
 * each rounded with relative error at most u, the computed value is within gamma_k * A of the exact
 * one, where A is the same formula with every term replaced by its absolute value and every minus by
 * a plus (the "absolute" formula; e.g. A(a^2 - b) = a^2 + |b|) and k counts the roundings on the
 * longest path (Higham, Accuracy and Stability, ch. 3). Library functions: OpenCL's cos, sin, cosh,
 * sinh are within 4 ulp <= 8u relative, and the rounding of their argument t costs |t| u times the
 * derivative, so A(cos t) = A(sin t) = 1 + |t| and A(cosh t) = A(sinh t) = cosh t (1 + |t|) with 8
 * counted in k. No formula here has more than 8 + 6 roundings on a path, so {@link #OPS} = 16
 * bounds k. The check is |device - reference| <= OPS (u + u64) A: u for the device (2^-24 or 2^-53),
 * u64 = 2^-53 for the reference's own rounding (Java's Math.cos etc. are within 1 ulp).
 * Sums over blocks add the longest chain of additions of the device's reduction
 * ({@link TestFunction#sumChainLength()}) to k, with A = sum of the blocks' A; the reference sums
 * exactly ({@link ExactSum}). Hessian-vector products add 2 roundings (one product, one sum per
 * term of a 2 x 2 block) with A = sum_k A(H_ik) |v_k|.
 *
 * <p>Finite differences run in float64 on the reference, with h = 1e-5 max(1, |x_k|). The truncation
 * error h^2/6 |f'''| stays below 1e-6 max(1, |derivative|) on these ranges (largest: Rosenbrock,
 * 2400 |a| h^2 / 6 <= 4e-7 for |a| <= 2; cosh: c^3 sinh(6) h^2 / 6 <= 1e-7), so {@link #FD_REL}
 * = 1e-6 relative; the rounding of the two reference evaluations, divided by the step, is added:
 * OPS u64 (A(x+) + A(x-)) / (2h), plus u64 (|f(x+)| + |f(x-)|) / (2h) for the final rounding of an
 * exact sum (the other blocks are bit-identical in both evaluations and cancel exactly).
 */
class TestFunctionTest {
    /** Unit roundoff of float64: the reference's own rounding. */
    private static final double U64 = 0x1p-53;
    /** Bound on the roundings on a path through one block formula (see the class comment). */
    private static final int OPS = 16;
    /** Relative allowance for the truncation error of a central difference with h = 1e-5. */
    private static final double FD_REL = 1e-6;
    /** Largest dimension whose dense Hessian is formed in a test (10,002^2 values would be 0.4-0.8 GB). */
    private static final int DENSE_MAX = 64;
    /** Random points per case. */
    private static final int POINTS = 3;

    record Case(String function, int dimension, Precision precision) {
        @Override
        public String toString() {
            return function + " p=" + dimension + " " + precision.label();
        }
    }

    static Stream<Case> cases() {
        List<Case> list = new ArrayList<>();
        for (Precision pr : Precision.values()) {
            list.add(new Case("x2", 1, pr));
            list.add(new Case("xcos", 1, pr));
            list.add(new Case("cosh", 1, pr));
            list.add(new Case("quadratic2d", 2, pr));
            list.add(new Case("rosenbrock", 2, pr));
            list.add(new Case("rosenbrock", 6, pr));
            list.add(new Case("rosenbrock", 10_002, pr)); // 5001 pairs: not a multiple of the work-group size
        }
        return list.stream();
    }

    // ---------------------------------------------------------------- reference (plain Java, float64)

    /** One block of f at x: value, gradient, Hessian (row-major), each with its magnitude A. */
    record Block(double f, double fA, double[] g, double[] gA, double[] h, double[] hA) {
    }

    static int blockSize(String fn) {
        return fn.equals("rosenbrock") || fn.equals("quadratic2d") ? 2 : 1;
    }

    /** The reference of block x[o .. o + blockSize) from the seed's formulas. */
    static Block block(String fn, double c, double[] x, int o) {
        switch (fn) {
            case "x2": { // x^2, 2x, 2
                double v = x[o];
                return new Block(v * v, v * v, new double[]{2 * v}, new double[]{2 * Math.abs(v)},
                        new double[]{2}, new double[]{2});
            }
            case "xcos": { // x cos(cx), cos(cx) - cx sin(cx), -2c sin(cx) - c^2 x cos(cx)
                double v = x[o];
                double t = c * v;
                double at = Math.abs(t);
                double tr = 1 + at; // A(cos t) = A(sin t)
                double ac = Math.abs(c);
                return new Block(v * Math.cos(t), Math.abs(v) * tr,
                        new double[]{Math.cos(t) - t * Math.sin(t)}, new double[]{tr + at * tr},
                        new double[]{-2 * c * Math.sin(t) - c * c * v * Math.cos(t)},
                        new double[]{(2 * ac + ac * at) * tr});
            }
            case "cosh": { // cosh(cx), c sinh(cx), c^2 cosh(cx)
                double t = c * x[o];
                double tr = Math.cosh(t) * (1 + Math.abs(t)); // A(cosh t) = A(sinh t)
                return new Block(Math.cosh(t), tr, new double[]{c * Math.sinh(t)}, new double[]{Math.abs(c) * tr},
                        new double[]{c * c * Math.cosh(t)}, new double[]{c * c * tr});
            }
            case "quadratic2d": { // x1^2 + 2 x2^2, (2 x1, 4 x2), diag(2, 4)
                double a = x[o];
                double b = x[o + 1];
                double f = a * a + 2 * b * b;
                return new Block(f, f, new double[]{2 * a, 4 * b}, new double[]{2 * Math.abs(a), 4 * Math.abs(b)},
                        new double[]{2, 0, 0, 4}, new double[]{2, 0, 0, 4});
            }
            case "rosenbrock": { // 100 (a^2 - b)^2 + (a - 1)^2
                double a = x[o];
                double b = x[o + 1];
                double r = a * a - b;
                double rA = a * a + Math.abs(b);
                double s = a - 1;
                double sA = Math.abs(a) + 1;
                return new Block(100 * r * r + s * s, 100 * rA * rA + sA * sA,
                        new double[]{400 * a * r + 2 * s, -200 * r},
                        new double[]{400 * Math.abs(a) * rA + 2 * sA, 200 * rA},
                        new double[]{1200 * a * a - 400 * b + 2, -400 * a, -400 * a, 200},
                        new double[]{1200 * a * a + 400 * Math.abs(b) + 2, 400 * Math.abs(a), 400 * Math.abs(a), 200});
            }
            default:
                throw new IllegalArgumentException(fn);
        }
    }

    /** The reference over all blocks at x. */
    static final class Ref {
        final String fn;
        final double c;
        final int bs;
        final Block[] blocks;
        final double f;
        final double fA;

        Ref(String fn, double c, double[] x) {
            this.fn = fn;
            this.c = c;
            this.bs = blockSize(fn);
            this.blocks = new Block[x.length / bs];
            double[] values = new double[blocks.length];
            double scale = 0;
            for (int b = 0; b < blocks.length; b++) {
                blocks[b] = block(fn, c, x, b * bs);
                values[b] = blocks[b].f;
                scale += blocks[b].fA;
            }
            this.f = ExactSum.sum(values);
            this.fA = scale;
        }

        double g(int i) {
            return blocks[i / bs].g[i % bs];
        }

        double gA(int i) {
            return blocks[i / bs].gA[i % bs];
        }

        /** A of the block holding coordinate i. */
        double blockA(int i) {
            return blocks[i / bs].fA;
        }

        /** H[i][k]: exactly 0 outside the diagonal blocks. */
        double h(int i, int k) {
            return i / bs == k / bs ? blocks[i / bs].h[(i % bs) * bs + k % bs] : 0;
        }

        double hA(int i, int k) {
            return i / bs == k / bs ? blocks[i / bs].hA[(i % bs) * bs + k % bs] : 0;
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Fixed-seed random point at which the device and the reference agree exactly on the input. */
    static double[] point(Case cs, Random rnd) {
        double range = switch (cs.function) {
            case "x2", "xcos", "cosh" -> 10; // the seed starts at x = 10
            case "quadratic2d" -> 5; // the seed starts at (-5, -2)
            default -> 2; // Rosenbrock: around the valley and the start (-1.2, 1)
        };
        double[] x = new double[cs.dimension];
        for (int i = 0; i < x.length; i++) {
            x[i] = cs.precision.round(range * (2 * rnd.nextDouble() - 1));
        }
        return x;
    }

    static TestFunction create(Case cs) {
        return new TestFunction(TestDevices.runtime(), cs.precision, cs.function, cs.dimension);
    }

    /** c as the device holds it. */
    static double deviceC(TestFunction tf) {
        return Double.isNaN(tf.c()) ? 0 : tf.precision().round(tf.c());
    }

    /** Coordinates to check one by one: all of them, or the ends and some random ones in large dimensions. */
    static int[] coordinates(int p, Random rnd) {
        if (p <= DENSE_MAX) {
            return IntStream.range(0, p).toArray();
        }
        TreeSet<Integer> set = new TreeSet<>(List.of(0, 1, p - 2, p - 1));
        while (set.size() < 12) {
            set.add(rnd.nextInt(p));
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    static void assertClose(double expected, double actual, double tol, String what) {
        assertTrue(Math.abs(actual - expected) <= tol,
                what + ": expected " + expected + ", got " + actual + " (|diff| " + Math.abs(actual - expected)
                        + " > tolerance " + tol + ")");
    }

    /** Central difference of the reference loss along coordinate k, and its tolerance (class comment). */
    static double[] fdGradient(Ref ref, double[] x, int k) {
        double[] xp = x.clone();
        double[] xm = x.clone();
        double h = 1e-5 * Math.max(1, Math.abs(x[k]));
        xp[k] = x[k] + h;
        xm[k] = x[k] - h;
        double step = xp[k] - xm[k];
        Ref rp = new Ref(ref.fn, ref.c, xp);
        Ref rm = new Ref(ref.fn, ref.c, xm);
        double fd = (rp.f - rm.f) / step;
        double rounding = (OPS * U64 * (rp.blockA(k) + rm.blockA(k)) + U64 * (Math.abs(rp.f) + Math.abs(rm.f))) / step;
        return new double[]{fd, FD_REL * Math.max(1, Math.abs(fd)) + rounding};
    }

    /** Central difference of the reference gradient component i along coordinate k, and its tolerance. */
    static double[] fdHessian(Ref ref, double[] x, int i, int k) {
        double[] xp = x.clone();
        double[] xm = x.clone();
        double h = 1e-5 * Math.max(1, Math.abs(x[k]));
        xp[k] = x[k] + h;
        xm[k] = x[k] - h;
        double step = xp[k] - xm[k];
        Block bp = block(ref.fn, ref.c, xp, i / ref.bs * ref.bs);
        Block bm = block(ref.fn, ref.c, xm, i / ref.bs * ref.bs);
        double fd = (bp.g[i % ref.bs] - bm.g[i % ref.bs]) / step;
        double rounding = OPS * U64 * (bp.gA[i % ref.bs] + bm.gA[i % ref.bs]) / step;
        return new double[]{fd, FD_REL * Math.max(1, Math.abs(fd)) + rounding};
    }

    // ---------------------------------------------------------------- value and gradient

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossAndGradientMatchReferenceAndFiniteDifferences(Case cs) {
        ClRuntime rt = TestDevices.runtime();
        Random rnd = new Random(cs.dimension * 1_000L + cs.function.hashCode() + cs.precision.bits());
        int p = cs.dimension;
        try (TestFunction tf = create(cs);
             DeviceArray w = rt.allocate(cs.precision, p);
             DeviceArray grad = rt.allocate(cs.precision, p);
             DeviceArray out = rt.allocate(cs.precision, 2)) {
            double u = cs.precision.unitRoundoff();
            double c = deviceC(tf);
            for (int n = 0; n < POINTS; n++) {
                double[] x = n == 0 && p <= DENSE_MAX ? tf.start() : point(cs, rnd);
                Ref ref = new Ref(cs.function, c, x);
                w.write(x);
                tf.loss(w, out, 0);
                tf.lossAndGradient(w, grad, out, 1);
                double[] f = out.read();
                double[] g = grad.read();
                // value: OPS roundings in a block + the reduction's chain, A = sum of the blocks' A
                double fTol = (OPS + tf.sumChainLength()) * (u + U64) * ref.fA;
                assertClose(ref.f, f[0], fTol, cs + " loss at point " + n);
                assertClose(ref.f, f[1], fTol, cs + " loss from lossAndGradient at point " + n);
                for (int i = 0; i < p; i++) {
                    assertClose(ref.g(i), g[i], OPS * (u + U64) * ref.gA(i), cs + " gradient[" + i + "] at point " + n);
                }
                for (int k : coordinates(p, rnd)) {
                    double[] fd = fdGradient(ref, x, k);
                    // the reference against its own finite differences, then the device against them
                    assertClose(fd[0], ref.g(k), fd[1], cs + " reference gradient[" + k + "] vs finite differences");
                    assertClose(fd[0], g[k], fd[1] + OPS * (u + U64) * ref.gA(k),
                            cs + " gradient[" + k + "] vs finite differences at point " + n);
                }
            }
        }
    }

    // ---------------------------------------------------------------- Hessian and Hessian-vector products

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hessianMatchesFiniteDifferencesIsSymmetricAndEqualsHessianVectorColumns(Case cs) {
        ClRuntime rt = TestDevices.runtime();
        Random rnd = new Random(cs.dimension * 7_919L + cs.function.hashCode() + cs.precision.bits());
        int p = cs.dimension;
        boolean dense = p <= DENSE_MAX;
        try (TestFunction tf = create(cs);
             DeviceArray w = rt.allocate(cs.precision, p);
             DeviceArray v = rt.allocate(cs.precision, p);
             DeviceArray hv = rt.allocate(cs.precision, p);
             DeviceArray hess = rt.allocate(cs.precision, dense ? (long) p * p : 1)) {
            double u = cs.precision.unitRoundoff();
            double c = deviceC(tf);
            for (int n = 0; n < POINTS; n++) {
                double[] x = point(cs, rnd);
                Ref ref = new Ref(cs.function, c, x);
                w.write(x);
                double[] h = null;
                if (dense) {
                    tf.hessian(w, hess);
                    h = hess.read();
                    for (int i = 0; i < p; i++) {
                        for (int k = 0; k < p; k++) {
                            double hik = h[i * p + k];
                            String where = cs + " H[" + i + "][" + k + "] at point " + n;
                            // one formula gives both entries of an off-diagonal pair: symmetry is exact
                            assertEquals(h[k * p + i], hik, 0.0, where + " symmetry");
                            if (i / ref.bs != k / ref.bs) {
                                assertEquals(0.0, hik, 0.0, where + " outside the diagonal blocks");
                                continue;
                            }
                            double tol = OPS * (u + U64) * ref.hA(i, k);
                            assertClose(ref.h(i, k), hik, tol, where);
                            double[] fd = fdHessian(ref, x, i, k);
                            assertClose(fd[0], ref.h(i, k), fd[1], where + " reference vs finite differences");
                            assertClose(fd[0], hik, fd[1] + tol, where + " vs finite differences");
                        }
                    }
                }
                // columns: H e_k (all columns when dense, else the ends and some random ones)
                for (int k : coordinates(p, rnd)) {
                    double[] e = new double[p];
                    e[k] = 1;
                    v.write(e);
                    tf.hessianVector(w, v, hv);
                    double[] col = hv.read();
                    for (int i = 0; i < p; i++) {
                        String where = cs + " (H e_" + k + ")[" + i + "] at point " + n;
                        if (i / ref.bs != k / ref.bs) {
                            assertEquals(0.0, col[i], 0.0, where + " outside the block of " + k);
                            continue;
                        }
                        double tolHv = (OPS + 2) * (u + U64) * ref.hA(i, k);
                        assertClose(ref.h(i, k), col[i], tolHv, where);
                        double[] fd = fdHessian(ref, x, i, k);
                        assertClose(fd[0], col[i], fd[1] + tolHv, where + " vs finite differences");
                        if (dense) { // two roundings of the same entry
                            assertClose(h[i * p + k], col[i], tolHv + OPS * (u + U64) * ref.hA(i, k),
                                    where + " vs the dense Hessian's column");
                        }
                    }
                }
                // a random direction
                double[] d = new double[p];
                for (int i = 0; i < p; i++) {
                    d[i] = cs.precision.round(rnd.nextGaussian());
                }
                v.write(d);
                tf.hessianVector(w, v, hv);
                double[] got = hv.read();
                for (int i = 0; i < p; i++) {
                    double expected = 0;
                    double scale = 0;
                    for (int k = i / ref.bs * ref.bs; k < (i / ref.bs + 1) * ref.bs; k++) {
                        expected += ref.h(i, k) * d[k];
                        scale += ref.hA(i, k) * Math.abs(d[k]);
                    }
                    assertClose(expected, got[i], (OPS + 2) * (u + U64) * scale, cs + " (H v)[" + i + "] at point " + n);
                }
            }
        }
    }

    // ---------------------------------------------------------------- values along a line

    /**
     * losses(w, d, steps, m) against one loss call per step at x_j = w + steps[j] d formed on the host
     * and rounded to the precision. The two evaluation points differ by rounding only: the device
     * forms w + t d with at most 2 roundings, the host's x_j carries one rounding to the precision
     * (plus float64 ones), so |x_dev - x_j| <= 4u (|w_i| + |t d_i|) per coordinate, which moves f by at
     * most sum_i |g_i| 4u (|w_i| + |t d_i|) to first order (the second-order term is O(u^2)); each
     * of the two values is within (OPS + chain) u A of f at its own point.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossesEqualOneLossPerStep(Case cs) {
        ClRuntime rt = TestDevices.runtime();
        Random rnd = new Random(cs.dimension * 31L + cs.function.hashCode() + cs.precision.bits());
        int p = cs.dimension;
        int maxSteps = Objective.MAX_STEPS;
        try (TestFunction tf = create(cs);
             DeviceArray w = rt.allocate(cs.precision, p);
             DeviceArray d = rt.allocate(cs.precision, p);
             DeviceArray xj = rt.allocate(cs.precision, p);
             DeviceArray steps = rt.allocate(cs.precision, maxSteps);
             DeviceArray single = rt.allocate(cs.precision, maxSteps);
             DeviceArray out = rt.allocate(cs.precision, maxSteps)) {
            double u = cs.precision.unitRoundoff();
            double c = deviceC(tf);
            double[] x = point(cs, rnd);
            double[] dir = new double[p];
            for (int i = 0; i < p; i++) {
                dir[i] = cs.precision.round(rnd.nextGaussian());
            }
            double[] t = new double[maxSteps];
            for (int j = 0; j < maxSteps; j++) { // 0, powers of two both ways, then random in [-1, 1)
                t[j] = cs.precision.round(j == 0 ? 0 : j < 8 ? Math.scalb(j % 2 == 0 ? 1.0 : -1.0, 1 - j / 2)
                        : 2 * rnd.nextDouble() - 1);
            }
            w.write(x);
            d.write(dir);
            steps.write(t);
            double[] tol = new double[maxSteps];
            for (int j = 0; j < maxSteps; j++) {
                double[] at = new double[p];
                for (int i = 0; i < p; i++) {
                    at[i] = cs.precision.round(x[i] + t[j] * dir[i]);
                }
                xj.write(at);
                tf.loss(xj, single, j);
                Ref ref = new Ref(cs.function, c, at);
                double move = 0;
                for (int i = 0; i < p; i++) {
                    move += Math.abs(ref.g(i)) * 4 * u * (Math.abs(x[i]) + Math.abs(t[j] * dir[i]));
                }
                tol[j] = 2 * (OPS + tf.sumChainLength()) * (u + U64) * ref.fA + move;
            }
            double[] one = single.read();
            for (int m = 1; m <= maxSteps; m++) {
                out.fill(Double.NaN, Phase.LOSS);
                tf.losses(w, d, steps, m, out);
                double[] got = out.read();
                for (int j = 0; j < m; j++) {
                    assertClose(one[j], got[j], tol[j], cs + " losses(m = " + m + ")[" + j + "], step " + t[j]);
                }
                for (int j = m; j < maxSteps; j++) {
                    assertTrue(Double.isNaN(got[j]), cs + " losses(m = " + m + ") wrote slot " + j);
                }
            }
            assertEquals(0.0, t[0]);
            assertEquals(one[0], tf.loss(w), 0.0, cs + " loss at step 0 is f(w): the same kernel on the same input");
        }
    }

    // ---------------------------------------------------------------- counts, starts, minimisers

    @Test
    void countsFollowTheCalls() {
        ClRuntime rt = TestDevices.runtime();
        try (TestFunction tf = new TestFunction(rt, Precision.FP32, "rosenbrock", 4);
             DeviceArray w = rt.upload(Precision.FP32, tf.start());
             DeviceArray v = rt.upload(Precision.FP32, new double[]{1, 0, 0, 1});
             DeviceArray g = rt.allocate(Precision.FP32, 4);
             DeviceArray h = rt.allocate(Precision.FP32, 16);
             DeviceArray steps = rt.upload(Precision.FP32, new double[]{0, 0.5, 1, 2, 4});
             DeviceArray out = rt.allocate(Precision.FP32, 5)) {
            for (Objective.Count k : Objective.Count.values()) {
                assertEquals(0, tf.count(k), k + " starts at 0");
            }
            tf.loss(w, out, 0);
            tf.loss(w);
            assertEquals(2, tf.count(Objective.Count.LOSS));
            tf.losses(w, v, steps, 5, out);
            assertEquals(7, tf.count(Objective.Count.LOSS), "losses over m steps counts m");
            tf.lossAndGradient(w, g, out, 0);
            tf.lossAndGradient(w, g);
            assertEquals(2, tf.count(Objective.Count.GRADIENT));
            tf.hessian(w, h);
            assertEquals(1, tf.count(Objective.Count.HESSIAN));
            tf.hessianVector(w, v, g);
            tf.hessianVector(w, v, g);
            tf.hessianVector(w, v, g);
            assertEquals(3, tf.count(Objective.Count.HESSIAN_VECTOR));
            assertEquals(7, tf.count(Objective.Count.LOSS), "other calls leave the loss count alone");
            assertEquals(2, tf.count(Objective.Count.GRADIENT));
            assertEquals(1, tf.count(Objective.Count.HESSIAN));
        }
    }

    @Test
    void startsAndMinimizersAreTheDocumentedOnes() {
        ClRuntime rt = TestDevices.runtime();
        Precision pr = Precision.FP64;
        assertArrayEquals(new double[]{10}, new TestFunction(rt, pr, "x2", 1).start());
        assertArrayEquals(new double[]{10}, new TestFunction(rt, pr, "xcos", 1).start());
        assertArrayEquals(new double[]{10}, new TestFunction(rt, pr, "cosh", 1).start());
        assertArrayEquals(new double[]{-5, -2}, new TestFunction(rt, pr, "quadratic2d", 2).start());
        assertArrayEquals(new double[]{-1.2, 1, -1.2, 1, -1.2, 1}, new TestFunction(rt, pr, "rosenbrock", 6).start());
        TestFunction r = new TestFunction(rt, pr, "rosenbrock", 6);
        assertArrayEquals(r.start(), r.initialParameters(new Random(5)), "initial parameters are the start");
        assertNull(new TestFunction(rt, pr, "xcos", 1).minimizer(), "x cos(cx) is unbounded below");
        assertEquals(0.15 * Math.PI, new TestFunction(rt, pr, "xcos", 1).c());
        assertEquals(0.5, new TestFunction(rt, pr, "cosh", 1).c());
        assertEquals("rosenbrock (6 parameters)", r.name());
        int wgs = rt.workGroupSize(); // the chain the tolerances use: ceil(5001 pairs / WGS) + log2(WGS)
        assertEquals((5001 + wgs - 1) / wgs + Integer.numberOfTrailingZeros(wgs),
                new TestFunction(rt, pr, "rosenbrock", 10_002).sumChainLength());
    }

    /** At the minimiser: the known minimum, a zero gradient and a positive definite Hessian, on the device. */
    static Stream<Case> casesWithMinimizer() { // xcos has none; the large Rosenbrock is the p = 6 one repeated
        return cases().filter(cs -> !cs.function.equals("xcos") && cs.dimension <= DENSE_MAX);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("casesWithMinimizer")
    void minimizerHasZeroGradientAndPositiveDefiniteHessian(Case cs) {
        ClRuntime rt = TestDevices.runtime();
        int p = cs.dimension;
        try (TestFunction tf = create(cs);
             DeviceArray w = rt.upload(cs.precision, tf.minimizer());
             DeviceArray g = rt.allocate(cs.precision, p);
             DeviceArray h = rt.allocate(cs.precision, (long) p * p)) {
            double u = cs.precision.unitRoundoff();
            double minimum = cs.function.equals("cosh") ? 1 : 0; // cosh(0) = 1; the others are sums of squares
            double f = tf.lossAndGradient(w, g);
            Ref ref = new Ref(cs.function, deviceC(tf), tf.minimizer());
            assertClose(minimum, f, (OPS + tf.sumChainLength()) * (u + U64) * ref.fA, cs + " minimum");
            double[] grad = g.read();
            for (int i = 0; i < p; i++) {
                assertClose(0, grad[i], OPS * (u + U64) * ref.gA(i), cs + " gradient at the minimiser");
            }
            tf.hessian(w, h);
            double[] hh = h.read();
            for (int b = 0; b < p; b += ref.bs) { // each diagonal block: 1x1 > 0, or 2x2 with a > 0, det > 0
                double a = hh[b * p + b];
                assertTrue(a > 0, cs + " H[" + b + "][" + b + "] = " + a);
                if (ref.bs == 2) {
                    double det = a * hh[(b + 1) * p + b + 1] - hh[b * p + b + 1] * hh[(b + 1) * p + b];
                    assertTrue(det > 0, cs + " block " + b + " determinant " + det);
                }
            }
        }
    }

    @Test
    void otherValuesOfCAreKernelArguments() {
        ClRuntime rt = TestDevices.runtime();
        for (Precision pr : Precision.values()) {
            for (String fn : new String[]{"xcos", "cosh"}) {
                for (double c : new double[]{1.3, -0.7}) {
                    try (TestFunction tf = new TestFunction(rt, pr, fn, 1, c);
                         DeviceArray w = rt.upload(pr, new double[]{pr.round(2.75)});
                         DeviceArray g = rt.allocate(pr, 1)) {
                        assertEquals(c, tf.c());
                        double f = tf.lossAndGradient(w, g);
                        Ref ref = new Ref(fn, pr.round(c), new double[]{pr.round(2.75)});
                        double u = pr.unitRoundoff();
                        assertClose(ref.f, f, (OPS + tf.sumChainLength()) * (u + U64) * ref.fA, fn + " c=" + c + " " + pr.label());
                        assertClose(ref.g(0), g.get(0), OPS * (u + U64) * ref.gA(0), fn + " c=" + c + " gradient " + pr.label());
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- usage errors

    @Test
    void unknownNamesAndWrongDimensionsAreUsageErrors() {
        ClRuntime rt = TestDevices.runtime();
        Precision pr = Precision.FP32;
        UsageException e = assertThrows(UsageException.class, () -> new TestFunction(rt, pr, "himmelblau", 2));
        assertTrue(e.getMessage().contains("himmelblau"), e.getMessage());
        for (String name : List.of("x2", "xcos", "cosh", "quadratic2d", "rosenbrock")) {
            assertTrue(e.getMessage().contains(name), "lists " + name + ": " + e.getMessage());
        }
        assertEquals(2, e.exitCode());
        assertThrows(UsageException.class, () -> new TestFunction(rt, pr, null, 1));
        for (int dim : new int[]{0, 1, 3, 7, -2}) {
            UsageException r = assertThrows(UsageException.class, () -> new TestFunction(rt, pr, "rosenbrock", dim));
            assertTrue(r.getMessage().contains("even") && r.getMessage().contains(Integer.toString(dim)), r.getMessage());
        }
        for (String oneD : List.of("x2", "xcos", "cosh")) {
            for (int dim : new int[]{0, 2}) {
                UsageException r = assertThrows(UsageException.class, () -> new TestFunction(rt, pr, oneD, dim));
                assertTrue(r.getMessage().contains("dimension 1"), r.getMessage());
            }
        }
        assertThrows(UsageException.class, () -> new TestFunction(rt, pr, "quadratic2d", 3));
        assertThrows(UsageException.class, () -> new TestFunction(rt, pr, "x2", 1, 0.5), "x2 has no c");
        assertThrows(UsageException.class, () -> new TestFunction(rt, pr, "cosh", 1, Double.POSITIVE_INFINITY));
        assertEquals("rosenbrock", new TestFunction(rt, pr, " Rosenbrock ", 2).function(), "names ignore case and spaces");
    }
}
