package io.descent.optim;

import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.LinearReference;
import io.descent.objective.LinearRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpReference;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;

/**
 * A device objective for the optimizer tests with its plain-Java float64 gradient and a bound on
 * how far the device's gradient can be from it, at the same (device-held) point.
 */
abstract class Fixture implements AutoCloseable {
    /** Seed of seed 001's line in these tests. */
    static final long LINE_SEED = 5;
    /** Seed 001's printed initial weights [slope, intercept] = [0.58937388, 0.91473434], as (intercept, slope). */
    static final double[] LINE_START = {0.91473434, 0.58937388};

    final Objective objective;
    final Precision precision;

    Fixture(Objective objective) {
        this.objective = objective;
        this.precision = objective.precision();
    }

    abstract double[] start();

    /** The gradient at w over {@code rows} (null: all rows), in float64. */
    abstract double[] gradient(double[] w, int[] rows);

    /** Bound on |device gradient - {@link #gradient}| per element, in the device's precision. */
    abstract double[] gradientBound(double[] w, int[] rows);

    @Override
    public void close() {
        objective.close();
    }

    static Fixture create(String name, ClRuntime rt, Precision p) {
        return switch (name) {
            case "quadratic2d" -> new Quadratic(rt, p);
            case "line" -> new Line(rt, p);
            case "mlp" -> new SmallMlp(rt, p);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** x1^2 + 2 x2^2 from (-5, -2): gradient (2 x1, 4 x2), exact on the device (products by 2 and 4). */
    static final class Quadratic extends Fixture {
        Quadratic(ClRuntime rt, Precision p) {
            super(new TestFunction(rt, p, "quadratic2d", 2));
        }

        double[] start() {
            return ((TestFunction) objective).start();
        }

        double[] gradient(double[] w, int[] rows) {
            return new double[]{2 * w[0], 4 * w[1]};
        }

        double[] gradientBound(double[] w, int[] rows) {
            return new double[2];
        }
    }

    /**
     * Seed 001's line (100 points, slope 5, intercept 2, noise 3) fitted by linear regression with an
     * intercept and MSE; reference and bound from {@link LinearReference} on the data rounded to the
     * device precision, plus one rounding of each gradient element.
     */
    static final class Line extends Fixture {
        private final DeviceDataset data;
        private final double[] x;
        private final double[] y;

        Line(ClRuntime rt, Precision p) {
            this(rt, p, new DeviceDataset(rt, Generators.seed001Line(LINE_SEED).data(), p));
        }

        private Line(ClRuntime rt, Precision p, DeviceDataset d) {
            super(new LinearRegression(d, true, 0.0));
            this.data = d;
            Dataset h = d.host();
            this.x = h.x().clone();
            this.y = h.y().clone();
            for (int i = 0; i < x.length; i++) x[i] = p.round(x[i]);
            for (int i = 0; i < y.length; i++) y[i] = p.round(y[i]);
        }

        private LinearReference reference(int[] rows) {
            if (rows == null) {
                return new LinearReference(y.length, 1, x, y, true, false, 0.0);
            }
            double[] xs = new double[rows.length];
            double[] ys = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                xs[i] = x[rows[i]];
                ys[i] = y[rows[i]];
            }
            return new LinearReference(rows.length, 1, xs, ys, true, false, 0.0);
        }

        double[] start() {
            return LINE_START.clone();
        }

        double[] gradient(double[] w, int[] rows) {
            return reference(rows).gradient(w);
        }

        double[] gradientBound(double[] w, int[] rows) {
            LinearReference r = reference(rows);
            double u = precision.unitRoundoff();
            double[] g = r.gradient(w);
            double[] t = r.gradientTolerance(w, u);
            for (int i = 0; i < t.length; i++) t[i] += u * Math.abs(g[i]);
            return t;
        }

        @Override
        public void close() {
            super.close();
            data.close();
        }
    }

    /**
     * A small MLP, 4-6-5-1 with tanh (smooth: no ReLU kink for rounding to cross) and MSE, on 64 rows
     * of seed 000's MLP task (x ~ N(0, 1), y = the row's sum), 71 parameters from the spec's seeded
     * initialisation. Reference and bound from {@link MlpReference} on the data rounded to the device
     * precision: |device - reference| <= 2 gamma u M per gradient element, gamma the longest chain of
     * roundings and M the element's magnitude (MlpTest's documented bound).
     */
    static final class SmallMlp extends Fixture {
        static final MlpSpec SPEC = new MlpSpec(4, java.util.List.of(6, 5), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE);
        static final int ROWS = 64;
        private final DeviceDataset data;
        private final Dataset rounded;
        private final MlpReference ref = new MlpReference(SPEC, false);
        private final MlpReference magnitude = new MlpReference(SPEC, true);

        SmallMlp(ClRuntime rt, Precision p) {
            this(rt, p, new DeviceDataset(rt, Generators.seed000Mlp(ROWS, SPEC.dimIn(), 7), p));
        }

        private SmallMlp(ClRuntime rt, Precision p, DeviceDataset d) {
            super(new Mlp(d, SPEC));
            this.data = d;
            Dataset h = d.host();
            double[] x = h.x().clone();
            double[] y = h.y().clone();
            for (int i = 0; i < x.length; i++) x[i] = p.round(x[i]);
            for (int i = 0; i < y.length; i++) y[i] = p.round(y[i]);
            this.rounded = Dataset.of("mlp rounded", h.rows(), h.cols(), x, y);
        }

        double[] start() {
            return SPEC.initialParameters(new java.util.Random(11));
        }

        double[] gradient(double[] w, int[] rows) {
            return ref.gradient(w, rounded, rows);
        }

        double[] gradientBound(double[] w, int[] rows) {
            double[] m = magnitude.gradient(w, rounded, rows);
            int n = rows == null ? ROWS : rows.length;
            double gamma = MlpReference.chain(SPEC, MlpReference.Kind.GRADIENT, n);
            for (int i = 0; i < m.length; i++) m[i] = 2 * gamma * precision.unitRoundoff() * m[i];
            return m;
        }

        @Override
        public void close() {
            super.close();
            data.close();
        }
    }
}
