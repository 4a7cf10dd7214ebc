package io.descent.train;

import io.descent.cl.DeviceArray;
import io.descent.data.Dataset;
import io.descent.objective.LinearModel;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;

import java.util.Locale;

/**
 * The target loss of a workload: f* + {@value #FRACTION} (f0 - f*), where f0 is the loss at the
 * run's start and f* the best loss known for the problem, so every workload asks for the same
 * thing, 99.99% of the way from the start to the optimum, and a target never lies below what can
 * be reached. f* is, by objective:
 * <ul>
 *   <li>a test function: its minimum (x2, quadratic2d, Rosenbrock: 0; cosh: 1), and for x cos(cx),
 *   unbounded below, the local minimum that gradient flow from the start reaches;</li>
 *   <li>linear regression: the least-squares optimum, from the normal equations in float64 (0 on
 *   seed 000's data, where y = X w exactly);</li>
 *   <li>logistic regression: its optimum by Newton's method in float64 on the host;</li>
 *   <li>an MLP on seed 000's data: 0, since y is the sum of the inputs, which every network of
 *   the scenarios represents exactly; on other data 0 as a lower bound (the loss is a mean of
 *   squares), which may make the target unreachable: then give --target-loss.</li>
 * </ul>
 * Where the host solve would be too long (more than about 4e9 multiply-adds) f* is taken as 0, a
 * lower bound, and the description says so.
 */
public final class Targets {
    /** The share of the gap between the start and the optimum left at the target. */
    public static final double FRACTION = 1e-4;

    /** A target and how it was found. */
    public record Target(double loss, double f0, double fStar, String optimum, boolean validation) {
        public Target(double loss, double f0, double fStar, String optimum) {
            this(loss, f0, fStar, optimum, false);
        }

        public String describe() {
            String f = validation ? "v" : "f";
            return String.format(Locale.ROOT, "%.6g%s = %s* + %.0e (%s0 - %s*), %s0 = %.6g, %s* = %s (%s)", loss,
                    validation ? " on the validation loss" : "", f, FRACTION, f, f, f, f0, f,
                    fStar == 0 ? "0" : String.format(Locale.ROOT, "%.6g", fStar), optimum);
        }
    }

    private Targets() {
    }

    /** How f* is found for a scenario, in words (for {@code descent scenarios}). */
    public static String rule(Experiment e) {
        String o = e.objective.toLowerCase(Locale.ROOT);
        if (o.startsWith("function:")) {
            return o.endsWith("xcos") ? "f* = the local minimum gradient flow reaches from the start" : "f* = the minimum";
        }
        if (o.equals("linear")) {
            return "seed000-regression".equals(e.generator) && e.csv == null ? "f* = 0 (y = X w exactly)"
                    : "f* = the least-squares optimum";
        }
        if (o.equals("logistic")) {
            return "f* = the logistic optimum (Newton, float64)";
        }
        return "seed000-mlp".equals(e.generator) && e.csv == null ? "f* = 0 (y = sum of inputs, representable)"
                : "f* = 0 (a lower bound)";
    }

    /** The target for {@code setup} started at {@code start}. */
    public static Target of(Setup setup, double[] start) {
        Objective f = setup.objective();
        double f0;
        try (DeviceArray w = f.runtime().upload(f.precision(), start)) {
            f0 = f.loss(w);
        }
        Experiment e = setup.experiment();
        double fStar;
        String how;
        if (f instanceof TestFunction t) {
            double[] m = t.minimizer();
            if (m != null) {
                fStar = t.hostValue(m);
                how = "the function's minimum";
            } else {
                fStar = t.hostValue(localMinimum(t, start));
                how = "the local minimum gradient flow reaches from the start";
            }
        } else if (f.model() instanceof LinearModel lm && setup.hostData() != null) {
            Dataset d = setup.hostData();
            int p = lm.parameterCount();
            boolean logistic = lm instanceof LogisticRegression;
            if (!Optimum.affordable(d.rows(), p, logistic ? 20 : 1)) {
                fStar = 0;
                how = "0, a lower bound: the host solve for " + d.rows() + " x " + p + " would take too long";
            } else if (logistic) {
                fStar = Optimum.logistic(d, lm.intercept(), lm.alpha());
                how = "the logistic optimum, Newton in float64";
                if (Double.isNaN(fStar)) {
                    fStar = 0;
                    how = "0, a lower bound: Newton found no optimum (separable data?)";
                }
            } else {
                fStar = Optimum.leastSquares(d, lm.intercept(), lm.alpha());
                how = "the least-squares optimum, normal equations in float64";
            }
        } else {
            fStar = 0;
            how = f.model().alpha() > 0 ? "0, a lower bound (the L2 penalty keeps the minimum above it)"
                    : "seed000-mlp".equals(e.generator) && e.csv == null
                    ? "0: y is the sum of the inputs, which the network represents exactly" : "0, a lower bound";
        }
        double target = f0 <= fStar ? f0 : fStar + FRACTION * (f0 - fStar);
        return new Target(target, f0, fStar, how);
    }

    /**
     * The target on the validation loss (the held-out rows' loss, as AlgoPerf times a run) for
     * {@code setup} started at {@code start}: v* + {@value #FRACTION} (v0 - v*), where v0 is the
     * held-out loss at the start and v* the held-out loss of the training optimum, where that is
     * known: for linear and logistic models, the optimum of the training loss computed on the host in
     * float64 (as {@link #of}), evaluated on the held-out rows; for a network on seed 000's data, 0
     * (y is the sum of the inputs on every row, held-out or not); else 0, a lower bound. A run whose
     * held-out loss dips below v* on the way reaches the target earlier, which is the point: the
     * target asks for the generalisation of the optimum, not for the optimum.
     */
    public static Target onValidation(Setup setup, double[] start) {
        Objective v = setup.validation();
        if (v == null) {
            throw new io.descent.UsageException("a target on the validation loss needs held-out rows (--validation FRACTION "
                    + "or --validation-csv FILE)");
        }
        double v0;
        try (DeviceArray w = v.runtime().upload(v.precision(), start)) {
            v0 = v.loss(w);
        }
        Experiment e = setup.experiment();
        Dataset train = setup.hostData();
        Dataset held = setup.validationRows();
        double vStar;
        String how;
        if (v.model() instanceof LinearModel lm && train != null && held != null) {
            boolean logistic = lm instanceof LogisticRegression;
            double[] w = !Optimum.affordable(train.rows(), lm.parameterCount(), logistic ? 20 : 1) ? null
                    : logistic ? Optimum.logisticParams(train, lm.intercept(), lm.alpha())
                    : Optimum.leastSquaresParams(train, lm.intercept(), lm.alpha());
            if (w == null) {
                vStar = 0;
                how = "0, a lower bound: the training optimum is not known (" + (logistic ? "separable data, or " : "")
                        + "a host solve for " + train.rows() + " x " + lm.parameterCount() + " too long)";
            } else {
                vStar = logistic ? Optimum.logisticLoss(held, lm.intercept(), lm.alpha(), w)
                        : Optimum.linearLoss(held, lm.intercept(), lm.alpha(), w);
                how = "the held-out loss of the training optimum (" + (logistic ? "Newton" : "normal equations")
                        + " in float64)";
            }
        } else {
            vStar = 0;
            how = "seed000-mlp".equals(e.generator) && e.csv == null
                    ? "0: y is the sum of the inputs on every row, which the network represents exactly" : "0, a lower bound";
        }
        double target = v0 <= vStar ? v0 : vStar + FRACTION * (v0 - vStar);
        return new Target(target, v0, vStar, how, true);
    }

    /** Gradient descent with backtracking on the host value, from {@code start}, to a stationary point. */
    private static double[] localMinimum(TestFunction t, double[] start) {
        double[] x = start.clone();
        double fx = t.hostValue(x);
        double step = 1e-2;
        for (int it = 0; it < 200_000; it++) {
            double[] g = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double h = 1e-6 * Math.max(1, Math.abs(x[i]));
                double[] a = x.clone(), b = x.clone();
                a[i] += h;
                b[i] -= h;
                g[i] = (t.hostValue(a) - t.hostValue(b)) / (2 * h);
            }
            double gg = 0;
            for (double v : g) gg += v * v;
            if (gg < 1e-24) break;
            double[] y = new double[x.length];
            double fy;
            while (true) {
                for (int i = 0; i < x.length; i++) y[i] = x[i] - step * g[i];
                fy = t.hostValue(y);
                if (fy <= fx - 0.5 * step * gg || step < 1e-16) break;
                step *= 0.5;
            }
            if (!(fy < fx)) break;
            x = y;
            fx = fy;
            step *= 2;
        }
        return x;
    }
}
