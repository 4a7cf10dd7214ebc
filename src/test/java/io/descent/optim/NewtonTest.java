package io.descent.optim;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generated;
import io.descent.data.Generators;
import io.descent.linalg.DenseReference;
import io.descent.objective.LinearRegression;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.TestFunction;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;
import io.descent.train.History;
import io.descent.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Newton and damped Newton on the device against float64 references: seed 000 (one step solves
 * linear regression), an ill-conditioned least-squares problem against Householder QR, logistic
 * regression, seed 002's one-dimensional functions, and a singular Hessian.
 */
class NewtonTest {
    static final double U32 = 0x1p-24;
    static final double U64 = 0x1p-53;
    /** Longest chain of float32 additions a row's term goes through in linear.cl (as LinearReference). */
    static final int SUM_CHAIN = 64;

    static ClRuntime runtime(Precision p) {
        ClRuntime rt = TestDevices.runtime();
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        return rt;
    }

    /** Runs {@code steps} optimizer steps directly (no trainer), returning the parameters after each. */
    static List<double[]> run(Problem pr, Optimizer opt, int steps) {
        opt.init(pr);
        List<double[]> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            pr.beginStep();
            opt.step(pr);
            pr.advance();
            out.add(pr.readParams());
        }
        return out;
    }

    static Stream<Arguments> precisionsAndRefine() {
        return Stream.of(Arguments.of(Precision.FP64, false), Arguments.of(Precision.FP64, true),
                Arguments.of(Precision.FP32, false), Arguments.of(Precision.FP32, true));
    }

    /**
     * Seed 000: y = X true_w exactly (no noise), so one Newton step from w = 0 lands on true_w.
     * float64: relative error (2-norm) below 1e-10. float32: X and y are rounded to float32, and the
     * step is computed from g and H rounded to float32 (both summed in float64 on a device that has
     * it) and solved in float32, so the bound is
     * <pre>
     *   e_data + kappa (e_g + e_H + e_solve) / (1 - kappa (e_H + e_solve))
     * </pre>
     * with kappa = kappa_2(H) of the rounded data (Jacobi eigenvalues in float64), e_data the
     * distance of the rounded data's least-squares solution from true_w (float64 normal equations with
     * compensated sums), e_g = ||dg|| / ||g|| for |dg_j| <= gamma_(SUM_CHAIN + 1) (2/n) sum_i |x_ij
     * y_i| + u |g_j| (float32 products and tiles in linear.cl, then one rounding), e_H = u ||H||_F /
     * ||H||_2 (each entry rounded once) and e_solve = gamma_(3p+1) ||U||_1 ||U||_inf / ||H||_2
     * (Cholesky's backward error, Higham Thm 10.4). Refinement leaves the same bound (it can only
     * shrink the solve's share).
     */
    @ParameterizedTest(name = "{0} refine={1}")
    @MethodSource("precisionsAndRefine")
    void oneStepSolvesSeed000Regression(Precision p, boolean refine) {
        ClRuntime rt = runtime(p);
        Generated g = Generators.seed000Regression(100_000, 10, 42);
        double[] truth = g.trueWeights();
        int k = truth.length;
        double[] w;
        try (DeviceDataset d = new DeviceDataset(rt, g.data(), p);
             LinearRegression m = new LinearRegression(d, false, 0);
             Problem pr = new Problem(m, new double[k]);
             Newton newton = new Newton(1, refine, 5)) {
            w = run(pr, newton, 1).get(0);
            assertTrue(newton.warnings().isEmpty(), newton.warnings().toString());
        }
        double err = DenseReference.relError(w, truth);
        double bound;
        if (p == Precision.FP64) {
            bound = 1e-10;
        } else {
            Dataset data = g.data();
            int n = data.rows();
            double[] x = DenseReference.toFloat(data.x());
            double[] y = DenseReference.toFloat(data.y());
            double[] h = new double[k * k];
            double[] xty = new double[k];
            double[] absXy = new double[k];
            double[] col = new double[n];
            double[] col2 = new double[n];
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < n; i++) col[i] = x[i * k + j];
                for (int c = j; c < k; c++) {
                    for (int i = 0; i < n; i++) col2[i] = x[i * k + c];
                    h[j * k + c] = h[c * k + j] = 2.0 / n * DenseReference.dot2(col, 0, 1, col2, 0, 1, n);
                }
                xty[j] = 2.0 / n * DenseReference.dot2(col, 0, 1, y, 0, 1, n);
                for (int i = 0; i < n; i++) absXy[j] += Math.abs(col[i] * y[i]);
                absXy[j] *= 2.0 / n;
            }
            double[] signs = new double[k];
            double[] uf = DenseReference.factor(h, k, false, signs, new int[1]);
            double[] wData = DenseReference.solve(uf, signs, k, xty);
            double eData = DenseReference.relError(wData, truth);
            double[] ev = DenseReference.eigenvalues(h, k);
            double kappa = ev[k - 1] / ev[0];
            double gammaG = DenseReference.gamma(SUM_CHAIN + 1, U32);
            double dg = 0;
            for (int j = 0; j < k; j++) {
                double e = gammaG * absXy[j] + U32 * Math.abs(xty[j]);
                dg += e * e;
            }
            double eG = Math.sqrt(dg) / DenseReference.norm2(xty);
            double hF = 0;
            for (double v : h) hF += v * v;
            double eH = U32 * Math.sqrt(hF) / ev[k - 1];
            double eSolve = DenseReference.gamma(3 * k + 1, U32) * DenseReference.absProductNormBound(uf, k) / ev[k - 1];
            bound = eData + kappa * (eG + eH + eSolve) / (1 - kappa * (eH + eSolve));
            System.out.printf("seed000 fp32: kappa %.4f, e_data %.2g, e_g %.2g, e_H %.2g, e_solve %.2g%n",
                    kappa, eData, eG, eH, eSolve);
        }
        System.out.printf("seed000 %s refine=%b: relative coefficient error %.3g (bound %.3g)%n", p.label(), refine, err, bound);
        assertTrue(err < bound, String.format("%s refine=%b: error %.3g >= %.3g", p, refine, err, bound));
    }

    /** x = 0, 0.1, ..., 20; features x..x^5 standardised (population std); y a quintic plus N(0, 0.1^2). */
    record Poly(Dataset data, double[] design, double[] y, int rows, int cols) {
        static Poly make() {
            int m = 201, k = 5;
            double[] x = new double[m * k];
            double[] y = new double[m];
            Random rnd = new Random(1);
            double[] c = {1, 2, -0.5, 0.05, -0.002, 0.00003};
            for (int i = 0; i < m; i++) {
                double t = i / 10.0;
                double v = 0;
                for (int j = 5; j >= 0; j--) v = v * t + c[j];
                y[i] = v + 0.1 * rnd.nextGaussian();
                for (int j = 0; j < k; j++) x[i * k + j] = Math.pow(t, j + 1);
            }
            for (int j = 0; j < k; j++) {
                double mean = 0, var = 0;
                for (int i = 0; i < m; i++) mean += x[i * k + j];
                mean /= m;
                for (int i = 0; i < m; i++) var += (x[i * k + j] - mean) * (x[i * k + j] - mean);
                double sd = Math.sqrt(var / m);
                for (int i = 0; i < m; i++) x[i * k + j] = (x[i * k + j] - mean) / sd;
            }
            double[] a = new double[m * (k + 1)];
            for (int i = 0; i < m; i++) {
                a[i * (k + 1)] = 1;
                for (int j = 0; j < k; j++) a[i * (k + 1) + 1 + j] = x[i * k + j];
            }
            return new Poly(Dataset.of("poly5", m, k, x, y), a, y, m, k + 1);
        }
    }

    /**
     * Ill-conditioned least squares (kappa_2(X'X) about 3e6 even after standardising). Truth: the
     * exact least-squares solution of the float64 data (normal equations in BigDecimal). float64:
     * the first Newton step is the normal-equations solution, good to about kappa(H) u; each further
     * step is iterative refinement with the residual recomputed from the data, so after 3 steps
     * Newton has at least the digits of Householder QR (the reference lstsq solver), with or
     * without refine. No condition warning: kappa u is about 4e-10.
     */
    @ParameterizedTest(name = "refine={0}")
    @MethodSource("booleans")
    void illConditionedFloat64IsAsAccurateAsQr(boolean refine) {
        ClRuntime rt = runtime(Precision.FP64);
        Poly poly = Poly.make();
        double[] exact = DenseReference.exactLeastSquares(poly.design(), poly.rows(), poly.cols(), poly.y());
        double errQr = DenseReference.relError(DenseReference.qrLeastSquares(poly.design(), poly.rows(), poly.cols(),
                poly.y()), exact);
        try (DeviceDataset d = new DeviceDataset(rt, poly.data(), Precision.FP64);
             LinearRegression m = new LinearRegression(d, true, 0);
             Problem pr = new Problem(m, new double[poly.cols()]);
             Newton newton = new Newton(1, refine, 5)) {
            List<double[]> ws = run(pr, newton, 3);
            double err1 = DenseReference.relError(ws.get(0), exact);
            double err3 = DenseReference.relError(ws.get(2), exact);
            System.out.printf("poly fp64 refine=%b: QR %.3g (%.1f digits), Newton step 1 %.3g, step 3 %.3g (%.1f digits), "
                    + "kappa estimate %.3g%n", refine, errQr, -Math.log10(errQr), err1, err3, -Math.log10(err3),
                    newton.lastInfo().conditionEstimate());
            assertTrue(err3 <= errQr, String.format("Newton %.3g less accurate than QR %.3g", err3, errQr));
            assertTrue(newton.lastInfo().conditionEstimate() > 1e6, "the estimate sees the ill-conditioning");
            assertTrue(newton.warnings().stream().noneMatch(s -> s.contains("condition")), newton.warnings().toString());
        }
    }

    static Stream<Boolean> booleans() {
        return Stream.of(false, true);
    }

    /**
     * The same problem in float32: X and y rounded to float32 may move the least-squares solution by
     * up to (Higham Thm 20.1, first order, normwise relative perturbations e of X and y)
     * kappa_2(X) e (2 + (kappa_2(X) + 1) ||r|| / (||X||_2 ||w||)) with e = u ||X||_F / ||X||_2 (each
     * entry rounded once): that is what the float32 data allows, and 10 Newton steps stay within it,
     * with and without refinement. The condition warning fires (kappa(H) u is about 0.2).
     */
    @ParameterizedTest(name = "refine={0}")
    @MethodSource("booleans")
    void illConditionedFloat32IsAsAccurateAsTheDataAllowsAndWarns(boolean refine) {
        ClRuntime rt = runtime(Precision.FP32);
        Poly poly = Poly.make();
        int m = poly.rows(), k = poly.cols();
        double[] a = poly.design();
        double[] exact = DenseReference.exactLeastSquares(a, m, k, poly.y());
        double[] ata = new double[k * k];
        double aF = 0;
        for (double v : a) aF += v * v;
        for (int j = 0; j < k; j++) {
            for (int c = 0; c < k; c++) ata[j * k + c] = DenseReference.dot2(a, j, k, a, c, k, m);
        }
        double[] ev = DenseReference.eigenvalues(ata, k);
        double norm = Math.sqrt(ev[k - 1]);
        double kappaX = Math.sqrt(ev[k - 1] / ev[0]);
        double r2 = 0;
        for (int i = 0; i < m; i++) {
            double res = poly.y()[i] - DenseReference.dot2(a, i * k, 1, exact, 0, 1, k);
            r2 += res * res;
        }
        double e = U32 * Math.sqrt(aF) / norm;
        double allows = kappaX * e / (1 - kappaX * e) * (2 + (kappaX + 1) * Math.sqrt(r2) / (norm * DenseReference.norm2(exact)));
        try (DeviceDataset d = new DeviceDataset(rt, poly.data(), Precision.FP32);
             LinearRegression lm = new LinearRegression(d, true, 0);
             Problem pr = new Problem(lm, new double[k]);
             Newton newton = new Newton(1, refine, 5)) {
            List<double[]> ws = run(pr, newton, 10);
            double err = DenseReference.relError(ws.get(9), exact);
            System.out.printf("poly fp32 refine=%b: Newton after 10 steps %.3g; the float32 data allow %.3g "
                    + "(kappa_2(X) %.4g); warnings %s%n", refine, err, allows, kappaX, newton.warnings());
            assertTrue(err <= allows, String.format("error %.3g above what the data allow, %.3g", err, allows));
            assertTrue(newton.warnings().stream().anyMatch(s -> s.contains("condition estimate")),
                    "no condition warning: " + newton.warnings());
        }
    }

    /** Logistic regression (two overlapping classes): Newton from 0 reaches ||g|| <= 1e-8 in under 15 steps. */
    @Test
    void logisticRegressionConvergesQuadratically() {
        ClRuntime rt = runtime(Precision.FP64);
        Generated g = Generators.twoClass(20_000, 10, 7);
        try (DeviceDataset d = new DeviceDataset(rt, g.data(), Precision.FP64);
             LogisticRegression m = new LogisticRegression(d, true, 0);
             Problem pr = new Problem(m, new double[11]);
             Newton newton = new Newton()) {
            newton.init(pr);
            int steps = 0;
            double gn = Double.POSITIVE_INFINITY;
            StringBuilder trace = new StringBuilder();
            while (steps < 14 && gn > 1e-8) {
                pr.beginStep();
                newton.step(pr);
                pr.advance();
                steps++;
                m.lossAndGradient(pr.params(), pr.grad());
                gn = DenseReference.norm2(pr.grad().read());
                trace.append(String.format(" %.2g", gn));
            }
            System.out.printf("logistic: ||g|| after each step:%s%n", trace);
            assertTrue(gn <= 1e-8, "gradient norm " + gn + " after " + steps + " steps:" + trace);
        }
    }

    static double xcos(double x, int order) {
        double c = 0.15 * Math.PI;
        return switch (order) {
            case 0 -> x * Math.cos(c * x);
            case 1 -> Math.cos(c * x) - c * x * Math.sin(c * x);
            default -> -2 * c * Math.sin(c * x) - x * c * c * Math.cos(c * x);
        };
    }

    /**
     * Seed 002, cosh(0.5 x) from x = 10: Newton's iterates x - tanh(c x) / c follow the host's
     * float64 iteration (within 100 u relative per step of drift) and reach 0 (|x| below 1e-12 in
     * float64, 1e-6 in float32) in 10 steps, the loss falling every step.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void newtonOnCoshConverges(Precision p) {
        ClRuntime rt = runtime(p);
        try (TestFunction f = new TestFunction(rt, p, "cosh", 1);
             Problem pr = new Problem(f, f.start());
             Newton newton = new Newton()) {
            List<double[]> xs = run(pr, newton, 10);
            double x = 10, prevLoss = Math.cosh(5);
            for (int k = 0; k < 10; k++) {
                x = x - Math.tanh(0.5 * x) / 0.5;
                double dev = xs.get(k)[0];
                assertEquals(x, dev, 100 * (k + 1) * p.unitRoundoff() * 10, "iterate " + (k + 1));
                double loss = Math.cosh(0.5 * dev);
                assertTrue(loss <= prevLoss, "loss rose at step " + (k + 1));
                prevLoss = loss;
            }
            assertTrue(Math.abs(xs.get(9)[0]) <= (p == Precision.FP64 ? 1e-12 : 1e-6), "x_10 = " + xs.get(9)[0]);
            assertTrue(newton.warnings().isEmpty(), newton.warnings().toString());
        }
    }

    static Stream<Precision> precisions() {
        return Stream.of(Precision.values());
    }

    /**
     * Seed 002, x cos(0.15 pi x) from x = 10: pure Newton takes H^-1 g whatever the curvature, so it
     * goes 10 -> 5 -> 25.1 and on to the stationary point near 26.834133 (the seed's printout), where
     * f'' < 0: a local maximum, with the loss up from f(10) = 0 to about 26.8. Iterates follow the
     * host's float64 Newton iteration; the "not positive definite" warning is given.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void pureNewtonOnXcosClimbsToAMaximum(Precision p) {
        ClRuntime rt = runtime(p);
        try (TestFunction f = new TestFunction(rt, p, "xcos", 1);
             Problem pr = new Problem(f, f.start());
             Newton newton = new Newton()) {
            List<double[]> xs = run(pr, newton, 10);
            double x = 10;
            double tol = p == Precision.FP64 ? 1e-9 : 1e-3;
            for (int k = 0; k < 10; k++) {
                x = x - xcos(x, 1) / xcos(x, 2);
                assertEquals(x, xs.get(k)[0], tol * Math.max(1, Math.abs(x)), "iterate " + (k + 1));
            }
            assertEquals(5.0, xs.get(0)[0], tol * 5, "first step");
            double last = xs.get(9)[0];
            assertEquals(26.834133, x, 5e-7, "host iteration against the seed's printout");
            assertEquals(26.834133, last, p == Precision.FP64 ? 1e-6 : 1e-3);
            assertTrue(xcos(last, 2) < 0, "f'' = " + xcos(last, 2) + ": not a maximum");
            assertTrue(xcos(last, 0) > xcos(10, 0) + 20, "the loss should have risen to about 26.8");
            assertTrue(newton.warnings().stream().anyMatch(s -> s.contains("not positive definite")),
                    newton.warnings().toString());
        }
    }

    /**
     * Seed 002, x cos(0.15 pi x) from x = 10 with damped Newton: the loss never rises (trainer's
     * history, one loss per step) and falls at the first steps; the run settles in the local minimum
     * near 7.27 (f'' > 0 there), found on the host by Newton's iteration on f'. The trainer's
     * divergence guard is off: it compares |loss| with |first loss|, and f(10) is 0 to rounding.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void dampedNewtonOnXcosGoesDownhill(Precision p) {
        ClRuntime rt = runtime(p);
        double xstar = 7.27;
        for (int k = 0; k < 50; k++) xstar -= xcos(xstar, 1) / xcos(xstar, 2);
        try (TestFunction f = new TestFunction(rt, p, "xcos", 1);
             Problem pr = new Problem(f, f.start());
             DampedNewton opt = new DampedNewton()) {
            History h = Trainer.run(pr, opt, new Trainer.Options(20, 0, Double.NaN, false, 0, 0, 0, Double.MAX_VALUE, 0));
            List<History.Row> rows = h.rows();
            StringBuilder trace = new StringBuilder();
            for (History.Row r : rows) trace.append(String.format(" %.4g", r.loss()));
            System.out.printf("damped-newton xcos %s: losses%s; lambda %.3g; warnings %s%n", p.label(), trace,
                    opt.lambda(), opt.warnings());
            for (int i = 1; i < rows.size(); i++) {
                assertTrue(rows.get(i).loss() <= rows.get(i - 1).loss(), "loss rose at step " + (i + 1) + ":" + trace);
            }
            for (int i = 1; i < 4; i++) {
                assertTrue(rows.get(i).loss() < rows.get(i - 1).loss(), "no progress at step " + (i + 1) + ":" + trace);
            }
            double x = pr.readParams()[0];
            assertEquals(xstar, x, p == Precision.FP64 ? 1e-6 : 1e-2, "final x");
            assertTrue(xcos(xstar, 2) > 0);
        }
    }

    /** Duplicate feature column: x1, x2, x3 and x1 again, with an intercept (p = 5). */
    static Dataset duplicateColumn() {
        int n = 2000;
        Random rnd = new Random(11);
        double[] x = new double[n * 4];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) x[i * 4 + j] = rnd.nextGaussian();
            x[i * 4 + 3] = x[i * 4];
            y[i] = 1 + 2 * x[i * 4] - x[i * 4 + 1] + 0.5 * x[i * 4 + 2] + 0.1 * rnd.nextGaussian();
        }
        return new Dataset("duplicate column", n, 4, x, y, List.of("x1", "x2", "x3", "x1_copy"), "y", null, null);
    }

    /**
     * A singular Hessian (duplicate column): pure Newton stops with the pivot and the parameter named
     * and the parameters untouched; damped Newton adds lambda I, says so (pivot and parameter), never
     * raises the loss and reaches the least-squares minimum (host QR on the columns without the copy,
     * same rounded data). Loss: within 2 SUM_CHAIN u relative (the device loss's own summation error
     * bound, see LinearReference; the excess from a parameter error is quadratic in it, far below).
     * x1's coefficient, split over the copies, w_1 + w_4: within 1e-5 (float32) or 1e-10 (float64)
     * relative of QR's; the identifiable part of H is well conditioned (standard normal features),
     * so its error is of the order of the solve's (about 1e-7 and 1e-15 on seed 000).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void singularHessianIsDampedWithAMessage(Precision p) {
        ClRuntime rt = runtime(p);
        Dataset data = duplicateColumn();
        int n = data.rows();
        double[] a = new double[n * 4];
        double[] yy = data.y().clone();
        for (int i = 0; i < n; i++) {
            a[i * 4] = 1;
            for (int j = 0; j < 3; j++) a[i * 4 + 1 + j] = data.x(i, j);
        }
        if (p == Precision.FP32) {
            a = DenseReference.toFloat(a);
            yy = DenseReference.toFloat(yy);
        }
        double[] w4 = DenseReference.qrLeastSquares(a, n, 4, yy);
        double minLoss = 0;
        for (int i = 0; i < n; i++) {
            double r = DenseReference.dot2(a, i * 4, 1, w4, 0, 1, 4) - yy[i];
            minLoss += r * r / n;
        }
        try (DeviceDataset d = new DeviceDataset(rt, data, p);
             LinearRegression m = new LinearRegression(d, true, 0)) {
            try (Problem pr = new Problem(m, new double[5]);
                 Newton newton = new Newton()) {
                newton.init(pr);
                pr.beginStep();
                SingularHessianException e = assertThrows(SingularHessianException.class, () -> newton.step(pr));
                assertEquals(4, e.pivot());
                assertTrue(e.getMessage().contains("'x1_copy'"), e.getMessage());
                assertArrayEquals(new double[5], pr.readParams(), "parameters moved");
            }
            try (Problem pr = new Problem(m, new double[5]);
                 DampedNewton opt = new DampedNewton()) {
                History h = Trainer.run(pr, opt, new Trainer.Options(10, 0, Double.NaN, false, 0, 0, 0, Double.MAX_VALUE, 0));
                double[] w = pr.readParams();
                double loss = m.loss(pr.params());
                System.out.printf("duplicate column %s: loss %.10g vs minimum %.10g, w %s, warnings %s%n", p.label(), loss,
                        minLoss, java.util.Arrays.toString(w), opt.warnings());
                for (double v : w) assertTrue(Double.isFinite(v));
                for (int i = 1; i < h.rows().size(); i++) {
                    assertTrue(h.rows().get(i).loss() <= h.rows().get(i - 1).loss(), "loss rose at step " + (i + 1));
                }
                assertEquals(minLoss, loss, 2 * SUM_CHAIN * p.unitRoundoff() * minLoss, "loss at the end");
                double tol = p == Precision.FP64 ? 1e-10 : 1e-5;
                System.out.printf("duplicate column %s: w1 + w4 - QR's x1 coefficient, relative: %.3g%n", p.label(),
                        (w[1] + w[4] - w4[1]) / w4[1]);
                assertEquals(w4[1], w[1] + w[4], tol * Math.abs(w4[1]), "x1's coefficient, split over the copies");
                assertTrue(opt.warnings().stream().anyMatch(s -> s.contains("pivot 4") && s.contains("'x1_copy'")
                        && s.contains("lambda raised")), opt.warnings().toString());
            }
        }
    }

    /** Every phase of a Newton step shows up in the device time. */
    @Test
    void aStepRunsUnderItsFourPhases() {
        ClRuntime rt = runtime(Precision.FP32);
        Generated g = Generators.seed000Regression(10_000, 10, 1);
        try (DeviceDataset d = new DeviceDataset(rt, g.data(), Precision.FP32);
             LinearRegression m = new LinearRegression(d, false, 0);
             Problem pr = new Problem(m, new double[11]);
             Newton newton = new Newton()) {
            newton.init(pr);
            PhaseTotals before = rt.timer().totals();
            pr.beginStep();
            newton.step(pr);
            PhaseTotals delta = rt.timer().totals().minus(before);
            for (Phase ph : new Phase[]{Phase.GRADIENT, Phase.HESSIAN, Phase.SOLVE, Phase.UPDATE}) {
                assertTrue(delta.get(ph).operations() > 0, ph + " has no device work");
            }
            assertEquals(0, delta.get(Phase.LOSS).operations(), "pure Newton needs no extra forward pass");
        }
    }

    @Test
    void registryBuildsBothWithTheirOptions() {
        Optimizer a = Optimizers.parse("newton:lr=0.5,refine=true,condest=3");
        assertTrue(a instanceof Newton);
        assertEquals("newton(lr=0.5, refine=true, condest=3)", a.toString());
        Optimizer b = Optimizers.parse("damped-newton:tau=0.01,max_tries=5");
        assertTrue(b instanceof DampedNewton);
        assertEquals(0.01, b.hyperParameters().get("tau"));
        assertEquals(5, b.hyperParameters().get("max_tries"));
        assertThrows(UsageException.class, () -> Optimizers.parse("damped-newton:up=0.5"));
        assertThrows(UsageException.class, () -> Optimizers.parse("newton:beta=1"));
        assertThrows(UsageException.class, () -> Optimizers.parse("newton:lr=0"));
    }

    /** Above the size limit, init fails with a message that names the limit. */
    @Test
    void tooManyParametersForADenseHessianIsAUserError() {
        ClRuntime rt = runtime(Precision.FP32);
        int max = SecondOrder.maxParameters(rt.device(), Precision.FP32);
        int p = max + 2 - (max % 2);
        try (TestFunction f = new TestFunction(rt, Precision.FP32, "rosenbrock", p);
             Problem pr = new Problem(f, f.start());
             Newton newton = new Newton()) {
            UsageException e = assertThrows(UsageException.class, () -> newton.init(pr));
            assertTrue(e.getMessage().contains("at most " + max + " parameters"), e.getMessage());
        }
        assertFalse(max < 1000, "limit " + max + " on this device");
    }

    /** Seed 000's MLP task, small: 2000 x 3, y the row sum; one tanh hidden layer of 5 (p = 26). */
    static final MlpSpec SMALL_MLP = new MlpSpec(3, List.of(5), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE);

    static Dataset smallMlpData() {
        return Generators.seed000Mlp(2000, 3, 5);
    }

    /**
     * Newton on the MLP: the step is w - H^-1 g with H the exact dense Hessian the objective builds
     * from Hessian-vector products (R-operator), indefinite here (the warning says so). Checked
     * against the same H and g read back and solved on the host in float64 by the signed
     * factorisation: ||w1 - w1_host|| <= ||d|| (t_dev / (1 - t_dev) + t_host / (1 - t_host)) + u ||w1||,
     * t = gamma_(3p+1) || |U'||U| ||_2 / min |eig(H)| (Higham Thm 10.4 as in CholeskyTest; U the
     * host factor, eigenvalues by Jacobi).
     */
    @Test
    void newtonOnTheMlpSolvesWithTheExactHessian() {
        ClRuntime rt = runtime(Precision.FP64);
        double[] w0 = SMALL_MLP.initialParameters(new Random(3));
        int p = w0.length;
        try (DeviceDataset d = new DeviceDataset(rt, smallMlpData(), Precision.FP64);
             Mlp m = new Mlp(d, SMALL_MLP);
             Problem pr = new Problem(m, w0);
             DeviceArray h = rt.allocate(Precision.FP64, (long) p * p);
             Newton newton = new Newton(1, false, 5)) {
            m.lossAndGradient(pr.params(), pr.grad());
            double[] g = pr.grad().read();
            m.hessian(pr.params(), h);
            double[] hh = h.read();
            double[] signs = new double[p];
            int[] failed = new int[1];
            double[] uf = DenseReference.factor(hh, p, true, signs, failed);
            assertEquals(-1, failed[0], "host factorisation");
            double[] dir = DenseReference.solve(uf, signs, p, g);
            double[] expected = new double[p];
            for (int j = 0; j < p; j++) expected[j] = w0[j] - dir[j];
            double[] w1 = run(pr, newton, 1).get(0);
            double[] ev = DenseReference.eigenvalues(hh, p);
            double minAbs = Double.POSITIVE_INFINITY;
            for (double e : ev) minAbs = Math.min(minAbs, Math.abs(e));
            double tDev = DenseReference.gamma(3 * p + 1, U64) * DenseReference.absProductNormBound(uf, p) / minAbs;
            double bound = DenseReference.norm2(dir) * 2 * tDev / (1 - tDev) + U64 * DenseReference.norm2(w1);
            double diff = DenseReference.relError(w1, expected) * DenseReference.norm2(expected);
            System.out.printf("mlp newton step: |w1 - host| %.3g (bound %.3g), negative eigenvalues %d, warnings %s%n",
                    diff, bound, java.util.Arrays.stream(ev).filter(e -> e < 0).count(), newton.warnings());
            assertTrue(tDev < 0.5, "test design: t = " + tDev);
            assertTrue(diff <= bound, "Newton step differs from the host's H^-1 g by " + diff + " > " + bound);
            assertTrue(newton.lastInfo().negativePivots() > 0);
            assertTrue(newton.warnings().stream().anyMatch(s -> s.contains("not positive definite")));
        }
    }

    static Stream<Arguments> curvatures() {
        List<Arguments> out = new ArrayList<>();
        for (Mlp.Curvature c : Mlp.Curvature.values()) {
            for (Precision p : Precision.values()) out.add(Arguments.of(c, p));
        }
        return out.stream();
    }

    /**
     * Damped Newton on the MLP, with the exact Hessian (indefinite: lambda I keeps the steps
     * downhill) and with the Gauss-Newton matrix (Levenberg-Marquardt proper): the loss never rises
     * over 25 steps and falls by at least a factor 100 (exact) or 1000 (Gauss-Newton) from the start,
     * with no NaN.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("curvatures")
    void dampedNewtonTrainsTheMlp(Mlp.Curvature curvature, Precision p) {
        ClRuntime rt = runtime(p);
        try (DeviceDataset d = new DeviceDataset(rt, smallMlpData(), p);
             Mlp m = new Mlp(d, SMALL_MLP, curvature);
             Problem pr = new Problem(m, SMALL_MLP.initialParameters(new Random(3)));
             DampedNewton opt = new DampedNewton()) {
            History h = Trainer.run(pr, opt, new Trainer.Options(25, 0, Double.NaN, false, 0, 0, 0, Double.MAX_VALUE, 0));
            double last = m.loss(pr.params());
            double first = h.rows().get(0).loss();
            System.out.printf("mlp damped-newton %s %s: loss %.4g -> %.4g in 25 steps, %d factorisations; warnings %s%n",
                    curvature, p.label(), first, last, opt.tries(), opt.warnings());
            for (int i = 1; i < h.rows().size(); i++) {
                assertTrue(h.rows().get(i).loss() <= h.rows().get(i - 1).loss(), "loss rose at step " + (i + 1));
            }
            assertTrue(last <= h.rows().get(h.rows().size() - 1).loss());
            assertTrue(last < first / (curvature == Mlp.Curvature.EXACT ? 100 : 1000), first + " -> " + last);
            for (double v : pr.readParams()) assertTrue(Double.isFinite(v));
        }
    }

    /**
     * The MLP's parameter limit is Newton's: a network above {@link SecondOrder#maxParameters} is
     * refused at init with the limit in the message (100-100-100-1: 20301 parameters).
     */
    @Test
    void anMlpAboveTheLimitIsRefused() {
        ClRuntime rt = runtime(Precision.FP64);
        MlpSpec big = new MlpSpec(100, List.of(100, 100), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE);
        int max = SecondOrder.maxParameters(rt.device(), Precision.FP64);
        assumeTrue(big.parameterCount() > max, "this device allows " + max + " parameters");
        try (DeviceDataset d = new DeviceDataset(rt, Generators.seed000Mlp(100, 100, 1), Precision.FP64);
             Mlp m = new Mlp(d, big);
             Problem pr = new Problem(m, new double[big.parameterCount()]);
             DampedNewton opt = new DampedNewton()) {
            UsageException e = assertThrows(UsageException.class, () -> opt.init(pr));
            assertTrue(e.getMessage().contains("20301 parameters") && e.getMessage().contains("at most " + max),
                    e.getMessage());
        }
    }
}
