package io.descent.linalg;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.descent.linalg.DenseReference.gamma;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The device factorisation and solves against plain-Java float64 ({@link DenseReference}), on
 * matrices with a known spectrum, rounded to the precision under test (the reference uses the same
 * rounded matrix and right-hand side, so only the algorithm's own error is measured).
 *
 * <p>Bounds (u = 2^-24 or 2^-53, gamma_k = k u / (1 - k u); Higham, Accuracy and Stability of
 * Numerical Algorithms, 2nd ed.):
 * <ul>
 *   <li>factor, Thm 10.3: |U'SU - A| <= gamma_(n+1) |U'||U| entrywise;</li>
 *   <li>solve, Thm 10.4: (A + dA) x = b with |dA| <= gamma_(3n+1) |U'||U|, so the residual obeys
 *       |b - A x| <= gamma_(3n+1) |U'||U||x| entrywise (whatever the condition number);</li>
 *   <li>forward error: ||x - x*|| / ||x*|| <= t / (1 - t), t = ||A^-1||_2 ||dA||_2 <= gamma_(3n+1)
 *       || |U'||U| ||_2 / lambda_min, with || |U'||U| ||_2 <= ||U||_1 ||U||_inf; the float64 reference
 *       solution obeys the same bound with u = 2^-53, and both are added. lambda_min of the rounded
 *       matrix is at least that of the spectrum minus ||A_rounded - A||_F minus 1e-10 lambda_max
 *       (the reflections' own float64 rounding, far below it). The spectra run from 1 to 10 in
 *       float32 and 1 to 1e4 in float64: the normwise bound grows like n^2 u kappa, and at n = 513 in
 *       float32 it is informative only for small kappa.</li>
 * </ul>
 * Each check adds the checker's own rounding: residuals and U'SU are formed with compensated dot
 * products (error about u64 |sum|), allowed for as 4 u64 times the absolute terms.
 */
class CholeskyTest {
    static final int[] SIZES = {1, 2, 3, 17, 64, 65, 256, 513};
    static final double U64 = 0x1p-53;

    enum Path {
        /** The device's defaults (tuning null: {@link Cholesky.Tuning#forDevice}). */
        DEFAULT(null),
        /** Blocked from n = 9 on, 16-wide blocks: exercises partial blocks on small matrices. */
        BLOCKED(new Cholesky.Tuning(8, 16, Integer.MAX_VALUE)),
        /** Blocked, 16-wide blocks, 16 values x 16 rows per work-item (the CPU default's update shape). */
        BLOCKED_WIDE(new Cholesky.Tuning(8, 16, Integer.MAX_VALUE, 16, 16)),
        /** As BLOCKED with CLBlast TRSM + SYRK for every trailing update. */
        CLBLAST(new Cholesky.Tuning(8, 16, 1)),
        /** As BLOCKED with every trailing update by gemm.cl's SYRK (signs folded in, so indefinite too). */
        GEMM(new Cholesky.Tuning(8, 16, Integer.MAX_VALUE, 0, 8, 1)),
        /** As GEMM with blocks of 5 (no multiple of a vector or register block): deep, uneven recursion. */
        GEMM_ODD(new Cholesky.Tuning(8, 5, Integer.MAX_VALUE, 0, 8, 1));

        private final Cholesky.Tuning tuning;

        Path(Cholesky.Tuning tuning) {
            this.tuning = tuning;
        }

        Cholesky.Tuning tuning(ClRuntime rt) {
            return tuning != null ? tuning : Cholesky.Tuning.forDevice(rt.deviceTuning());
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (int n : SIZES) out.add(Arguments.of(n, p, Path.DEFAULT));
            for (int n : new int[]{17, 64, 65, 256, 513}) out.add(Arguments.of(n, p, Path.BLOCKED));
            for (int n : new int[]{17, 65, 513}) out.add(Arguments.of(n, p, Path.BLOCKED_WIDE));
            for (int n : new int[]{17, 65, 256}) out.add(Arguments.of(n, p, Path.CLBLAST));
            for (int n : new int[]{17, 65, 256, 513}) out.add(Arguments.of(n, p, Path.GEMM));
            for (int n : new int[]{17, 39, 97, 301}) out.add(Arguments.of(n, p, Path.GEMM_ODD));
        }
        return out.stream();
    }

    static ClRuntime runtime(Precision p) {
        ClRuntime rt = TestDevices.runtime();
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        return rt;
    }

    @ParameterizedTest(name = "n={0} {1} {2}")
    @MethodSource("cases")
    void factorAndSolveMeetTheirErrorBounds(int n, Precision p, Path path) {
        ClRuntime rt = runtime(p);
        double u = p.unitRoundoff();
        double lo = 1, hi = p == Precision.FP32 ? 10 : 1e4;
        double[] exact = DenseReference.spd(n, lo, hi, 1000 + n);
        double[] a = p == Precision.FP32 ? DenseReference.toFloat(exact) : exact;
        Random rnd = new Random(n);
        double[] xTrue = new double[n];
        for (int i = 0; i < n; i++) xTrue[i] = rnd.nextGaussian();
        double[] b = new double[n];
        for (int i = 0; i < n; i++) b[i] = p.round(DenseReference.dot2(a, i * n, 1, xTrue, 0, 1, n));

        double[] f, x, signs;
        Cholesky.Info info;
        try (Cholesky chol = new Cholesky(rt, p, n, path.tuning(rt));
             DeviceArray h = rt.upload(p, a);
             DeviceArray db = rt.upload(p, b);
             DeviceArray dx = rt.allocate(p, n)) {
            chol.factorSolve(h, 0, false, db, dx);
            chol.estimateCondition(10);
            info = chol.readInfo();
            f = chol.factorMatrix().read();
            signs = chol.signs().read();
            x = dx.read();
        }
        assertTrue(info.ok(), "factorisation failed at pivot " + info.failedPivot());
        assertEquals(0, info.negativePivots());
        double[] uf = DenseReference.upper(f, n);
        for (int i = 0; i < n; i++) {
            assertEquals(1.0, signs[i]);
            for (int k = 0; k < i; k++) {
                assertEquals(f[k * n + i], f[i * n + k], "mirror (" + i + ", " + k + ")");
            }
        }
        // Thm 10.3: the factor's backward error, entry by entry
        double gf = gamma(n + 1, u);
        for (int i = 0; i < n; i++) {
            for (int k = i; k < n; k++) {
                double abs = DenseReference.absProduct(uf, n, i, k);
                double err = Math.abs(DenseReference.product(uf, signs, n, i, k) - a[i * n + k]);
                double bound = gf * abs + 4 * U64 * (abs + Math.abs(a[i * n + k]));
                assertTrue(err <= bound, String.format("n=%d %s: |U'U - A|(%d,%d) = %.3g > %.3g", n, p, i, k, err, bound));
            }
        }
        // Thm 10.4: the solution's residual, entry by entry
        double gs = gamma(3 * n + 1, u);
        for (int i = 0; i < n; i++) {
            double ax = DenseReference.dot2(a, i * n, 1, x, 0, 1, n);
            double absAx = 0, bound = 0;
            for (int k = 0; k < n; k++) {
                absAx += Math.abs(a[i * n + k] * x[k]);
                bound += DenseReference.absProduct(uf, n, i, k) * Math.abs(x[k]);
            }
            double err = Math.abs(b[i] - ax);
            double limit = gs * bound + 4 * U64 * (absAx + Math.abs(b[i]));
            assertTrue(err <= limit, String.format("n=%d %s: residual %d = %.3g > %.3g", n, p, i, err, limit));
        }
        // forward error against the float64 reference solution
        double[] refSigns = new double[n];
        int[] failed = new int[1];
        double[] ur = DenseReference.factor(a, n, false, refSigns, failed);
        double[] xRef = DenseReference.solve(ur, refSigns, n, b);
        double lambdaMin = lo - DenseReference.frobeniusDiff(a, exact) - 1e-10 * hi;
        double tDev = gs * DenseReference.absProductNormBound(uf, n) / lambdaMin;
        double tRef = gamma(3 * n + 1, U64) * DenseReference.absProductNormBound(ur, n) / lambdaMin;
        assertTrue(tDev < 0.5, "test design: the forward bound must be informative, t = " + tDev);
        double bound = tDev / (1 - tDev) + tRef / (1 - tRef);
        double err = DenseReference.relError(x, xRef);
        assertTrue(err <= bound, String.format("n=%d %s %s: forward error %.3g > bound %.3g", n, p, path, err, bound));
        // the condition estimate is a lower bound on kappa_2 and, after 10 steps, not far below it
        double kappaMax = (hi + DenseReference.frobeniusDiff(a, exact) + 1e-10 * hi) / lambdaMin;
        double kappaMin = n == 1 ? 1 : (hi - DenseReference.frobeniusDiff(a, exact) - 1e-10 * hi)
                / (lo + DenseReference.frobeniusDiff(a, exact) + 1e-10 * hi);
        double est = info.conditionEstimate();
        System.out.printf("cholesky n=%d %s %s: forward error %.3g (bound %.3g), kappa estimate %.4g of [%.4g, %.4g]%n",
                n, p, path, err, bound, est, kappaMin, kappaMax);
        assertTrue(est <= kappaMax * (1 + 10 * n * u), "estimate " + est + " above kappa " + kappaMax);
        assertTrue(est >= kappaMin / 4, "estimate " + est + " far below kappa " + kappaMin);
    }

    static Stream<Arguments> indefiniteCases() {
        List<Arguments> out = new ArrayList<>();
        for (Precision p : Precision.values()) {
            for (Path path : Path.values()) {
                for (int[] nk : new int[][]{{1, 0}, {17, 0}, {17, 8}, {17, 16}, {200, 0}, {200, 70}, {200, 199}}) {
                    out.add(Arguments.of(nk[0], nk[1], p, path));
                }
            }
        }
        return out.stream();
    }

    /**
     * A = U' D U with one negative entry of D at k: Cholesky stops at pivot k with a negative pivot
     * and leaves x = 0 (no NaN); the signed factorisation succeeds with one negative pivot and its
     * residual meets Thm 10.4.
     */
    @ParameterizedTest(name = "n={0} k={1} {2} {3}")
    @MethodSource("indefiniteCases")
    void notPositiveDefiniteIsReportedAtItsPivot(int n, int k, Precision p, Path path) {
        ClRuntime rt = runtime(p);
        double[] a = DenseReference.negativeAt(n, k, 77 + n + k);
        if (p == Precision.FP32) a = DenseReference.toFloat(a);
        double[] b = new double[n];
        Random rnd = new Random(k);
        for (int i = 0; i < n; i++) b[i] = p.round(rnd.nextGaussian());
        try (Cholesky chol = new Cholesky(rt, p, n, path.tuning(rt));
             DeviceArray h = rt.upload(p, a);
             DeviceArray db = rt.upload(p, b);
             DeviceArray dx = rt.upload(p, b)) {
            chol.factorSolve(h, 0, false, db, dx);
            Cholesky.Info info = chol.readInfo();
            assertEquals(k, info.failedPivot(), "failing pivot");
            assertTrue(info.pivotValue() < 0, "pivot value " + info.pivotValue());
            assertEquals(Double.POSITIVE_INFINITY, info.conditionEstimate());
            for (double v : dx.read()) assertEquals(0.0, v, "solution after a failed factorisation");

            chol.factorSolve(h, 0, true, db, dx);
            info = chol.readInfo();
            assertTrue(info.ok(), "signed factorisation failed at " + info.failedPivot());
            assertEquals(1, info.negativePivots());
            double[] signs = chol.signs().read();
            for (int i = 0; i < n; i++) assertEquals(i == k ? -1.0 : 1.0, signs[i], "sign " + i);
            double[] uf = DenseReference.upper(chol.factorMatrix().read(), n);
            double[] x = dx.read();
            double gs = gamma(3 * n + 1, p.unitRoundoff());
            for (int i = 0; i < n; i++) {
                double ax = DenseReference.dot2(a, i * n, 1, x, 0, 1, n);
                double absAx = 0, bound = 0;
                for (int c = 0; c < n; c++) {
                    absAx += Math.abs(a[i * n + c] * x[c]);
                    bound += DenseReference.absProduct(uf, n, i, c) * Math.abs(x[c]);
                }
                double err = Math.abs(b[i] - ax);
                double limit = gs * bound + 4 * U64 * (absAx + Math.abs(b[i]));
                assertTrue(err <= limit, String.format("n=%d k=%d %s: residual %d = %.3g > %.3g", n, k, p, i, err, limit));
            }
        }
    }

    /**
     * A singular matrix (row and column 9 a copy of 4): pivot 9 is zero up to rounding (a few u times
     * the diagonal, under the n u |A_jj| threshold) in both modes; a shift lambda I makes it factorise.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void singularMatrixFailsAtTheDuplicatePivotAndAShiftCuresIt(Precision p) {
        ClRuntime rt = runtime(p);
        int n = 17;
        double[] a = DenseReference.spd(n, 1, 10, 5);
        for (int i = 0; i < n; i++) {
            a[i * n + 9] = a[i * n + 4];
        }
        for (int k = 0; k < n; k++) {
            a[9 * n + k] = a[4 * n + k];
        }
        a[9 * n + 9] = a[4 * n + 4];
        if (p == Precision.FP32) a = DenseReference.toFloat(a);
        double[] b = new double[n];
        b[0] = 1;
        try (Cholesky chol = new Cholesky(rt, p, n);
             DeviceArray h = rt.upload(p, a);
             DeviceArray db = rt.upload(p, b);
             DeviceArray dx = rt.allocate(p, n)) {
            for (boolean signed : new boolean[]{false, true}) {
                chol.factorSolve(h, 0, signed, db, dx);
                Cholesky.Info info = chol.readInfo();
                assertEquals(9, info.failedPivot(), "signed = " + signed);
                assertTrue(Math.abs(info.pivotValue()) <= n * p.unitRoundoff() * Math.abs(a[9 * n + 9]));
                for (double v : dx.read()) assertEquals(0.0, v);
            }
            chol.factorSolve(h, 1e-3, false, db, dx);
            assertTrue(chol.readInfo().ok());
            for (double v : dx.read()) assertTrue(Double.isFinite(v));
        }
    }

    static Stream<Precision> precisions() {
        return Stream.of(Precision.values());
    }

    /**
     * One refinement step in float32 with the residual summed in float64 (n = 64, kappa = 100).
     * With e0 the unrefined error, the step solves (A + dA) c = r + dr with the same factor, so
     * ||e1|| <= (t / (1 - t) + kappa u) ||e0|| + 2 u ||x|| (Higham Ch. 12 to first order): t =
     * ||A^-1|| ||dA|| as in the forward-error bound above, kappa u for rounding the residual to
     * float32, 2 u for rounding it and the updated x. The float64 reference's own error (below 1e-12
     * here) is added.
     */
    @Test
    void refinementInFloat32ContractsTheError() {
        ClRuntime rt = runtime(Precision.FP32);
        assumeTrue(rt.device().fp64(), "refinement residual needs float64 on the device");
        int n = 64;
        double u = 0x1p-24;
        double kappa = 100;
        double[] exact = DenseReference.spd(n, 1, kappa, 9);
        double[] a = DenseReference.toFloat(exact);
        Random rnd = new Random(3);
        double[] b = new double[n];
        for (int i = 0; i < n; i++) b[i] = (float) rnd.nextGaussian();
        double[] signs = new double[n];
        double[] xRef = DenseReference.solve(DenseReference.factor(a, n, false, signs, new int[1]), signs, n, b);
        try (Cholesky chol = new Cholesky(rt, Precision.FP32, n);
             DeviceArray h = rt.upload(Precision.FP32, a);
             DeviceArray db = rt.upload(Precision.FP32, b);
             DeviceArray dx = rt.allocate(Precision.FP32, n);
             DeviceArray r = rt.allocate(Precision.FP32, n);
             DeviceArray c = rt.allocate(Precision.FP32, n)) {
            chol.factorSolve(h, 0, false, db, dx);
            double before = DenseReference.relError(dx.read(), xRef);
            chol.refine(db, dx, r, c);
            double after = DenseReference.relError(dx.read(), xRef);
            double[] uf = DenseReference.upper(chol.factorMatrix().read(), n);
            double lambdaMin = 1 - DenseReference.frobeniusDiff(a, exact) - 1e-10 * kappa;
            double t = gamma(3 * n + 1, u) * DenseReference.absProductNormBound(uf, n) / lambdaMin;
            assertTrue(t < 0.5, "test design: t = " + t);
            double bound = (t / (1 - t) + kappa * u / lambdaMin) * before + 2 * u + 1e-12;
            System.out.printf("refinement n=%d kappa=%.0f: error %.3g -> %.3g (bound %.3g)%n", n, kappa, before, after, bound);
            assertTrue(after <= bound, "after refinement " + after + " > " + bound);
            assertTrue(after < before, "refinement did not help: " + before + " -> " + after);
        }
    }
}
