package io.descent.optim;

import io.descent.data.Dataset;
import io.descent.objective.MlpReference;
import io.descent.objective.MlpSpec;

/**
 * A plain-Java float64 objective for the reference optimizers, with the magnitudes of a first-order
 * rounding analysis (Higham, Accuracy and Stability, ch. 3): a device evaluation in unit roundoff u
 * is within {@link Noise#K} u M of the exact value, M the "absolute formula" (every term replaced by
 * its absolute value, every minus by a plus, products of an error and a value first-order), summed
 * over the blocks or rows. K covers the longest chain of roundings: the device's reduction over at
 * most a few thousand terms (chain below 64), a row's or block's own operations (below 16) and a
 * tile of float additions in linear.cl (below 16).
 */
interface HostObjective {
    int size();

    double f(double[] x);

    double[] g(double[] x);

    /** M of f at w + t d as the device evaluates it in a {@code losses} launch (or t = 0: f(w)). */
    double fMag(double[] w, double t, double[] d);

    /** M of each gradient component at x. */
    double[] gMag(double[] x);

    /** The longest chain of roundings of a device loss or gradient ({@link Noise#K} unless longer). */
    default double chain() {
        return Noise.K;
    }

    static double[] along(double[] w, double t, double[] d) {
        double[] x = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            x[i] = w[i] + t * d[i];
        }
        return x;
    }

    /** f = x1^2 + 2 x2^2. */
    final class Quadratic2d implements HostObjective {
        public int size() {
            return 2;
        }

        public double f(double[] x) {
            return x[0] * x[0] + 2 * x[1] * x[1];
        }

        public double[] g(double[] x) {
            return new double[]{2 * x[0], 4 * x[1]};
        }

        public double fMag(double[] w, double t, double[] d) {
            double[] x = along(w, t, d);
            // the point's own rounding (|w| + |t d|) enters through the derivative
            return f(x) + 2 * Math.abs(x[0]) * (Math.abs(w[0]) + Math.abs(t * d[0]))
                    + 4 * Math.abs(x[1]) * (Math.abs(w[1]) + Math.abs(t * d[1]));
        }

        public double[] gMag(double[] x) {
            return new double[]{2 * Math.abs(x[0]), 4 * Math.abs(x[1])};
        }
    }

    /** Rosenbrock in pairs: sum 100 (a^2 - b)^2 + (a - 1)^2. */
    final class Rosenbrock implements HostObjective {
        private final int p;

        Rosenbrock(int p) {
            this.p = p;
        }

        public int size() {
            return p;
        }

        public double f(double[] x) {
            double s = 0;
            for (int i = 0; i < p; i += 2) {
                double r = x[i] * x[i] - x[i + 1];
                double q = x[i] - 1;
                s += 100 * r * r + q * q;
            }
            return s;
        }

        public double[] g(double[] x) {
            double[] g = new double[p];
            for (int i = 0; i < p; i += 2) {
                double a = x[i];
                double r = a * a - x[i + 1];
                g[i] = 400 * a * r + 2 * (a - 1);
                g[i + 1] = -200 * r;
            }
            return g;
        }

        public double fMag(double[] w, double t, double[] d) {
            double[] x = along(w, t, d);
            double m = 0;
            for (int i = 0; i < p; i += 2) {
                double a = x[i];
                double b = x[i + 1];
                double da = Math.abs(w[i]) + Math.abs(t * d[i]); // magnitude of the point's rounding
                double db = Math.abs(w[i + 1]) + Math.abs(t * d[i + 1]);
                double r = a * a - b;
                double mr = a * a + Math.abs(b) + 2 * Math.abs(a) * da + db;
                double q = a - 1;
                m += 200 * Math.abs(r) * mr + 100 * r * r + 2 * Math.abs(q) * (Math.abs(a) + 1 + da) + q * q;
            }
            return m;
        }

        public double[] gMag(double[] x) {
            double[] m = new double[p];
            for (int i = 0; i < p; i += 2) {
                double a = Math.abs(x[i]);
                double b = Math.abs(x[i + 1]);
                double r = Math.abs(x[i] * x[i] - x[i + 1]);
                m[i] = 400 * (a * r + a * (a * a + b)) + 2 * (a + 1);
                m[i + 1] = 200 * (a * a + b);
            }
            return m;
        }
    }

    /** Mean squared error of a linear model, (1/n) sum (x_i . w - y_i)^2, parameter 0 the intercept if any. */
    final class Linear implements HostObjective {
        private final int n;
        private final int k;
        private final boolean intercept;
        private final double[] x;
        private final double[] y;

        Linear(Dataset data, boolean intercept) {
            this.n = data.rows();
            this.k = data.cols();
            this.intercept = intercept;
            this.x = data.x();
            this.y = data.y();
        }

        public int size() {
            return k + (intercept ? 1 : 0);
        }

        private double feature(int i, int j) {
            return intercept ? (j == 0 ? 1 : x[i * k + j - 1]) : x[i * k + j];
        }

        private double z(int i, double[] w) {
            double z = 0;
            for (int j = 0; j < size(); j++) z += feature(i, j) * w[j];
            return z;
        }

        private double zAbs(int i, double[] w) {
            double s = 0;
            for (int j = 0; j < size(); j++) s += Math.abs(feature(i, j) * w[j]);
            return s;
        }

        public double f(double[] w) {
            Sum s = new Sum();
            for (int i = 0; i < n; i++) {
                double r = z(i, w) - y[i];
                s.add(r * r);
            }
            return s.value() / n;
        }

        public double[] g(double[] w) {
            int p = size();
            Sum[] s = new Sum[p];
            for (int j = 0; j < p; j++) s[j] = new Sum();
            for (int i = 0; i < n; i++) {
                double r = z(i, w) - y[i];
                for (int j = 0; j < p; j++) s[j].add(r * feature(i, j));
            }
            double[] g = new double[p];
            for (int j = 0; j < p; j++) g[j] = 2 * s[j].value() / n;
            return g;
        }

        public double fMag(double[] w, double t, double[] d) {
            double[] xw = along(w, t, d);
            double m = 0;
            for (int i = 0; i < n; i++) {
                double r = Math.abs(z(i, xw) - y[i]);
                // z + t q with q = X d: the terms of z, of t q and y
                m += 2 * r * (zAbs(i, w) + Math.abs(t) * zAbs(i, d) + Math.abs(y[i])) + r * r;
            }
            return m / n;
        }

        public double[] gMag(double[] w) {
            int p = size();
            double[] m = new double[p];
            for (int i = 0; i < n; i++) {
                double r = Math.abs(z(i, w) - y[i]);
                double mr = zAbs(i, w) + Math.abs(y[i]) + r;
                for (int j = 0; j < p; j++) m[j] += Math.abs(feature(i, j)) * (r + mr);
            }
            for (int j = 0; j < p; j++) m[j] = 2 * m[j] / n;
            return m;
        }
    }

    /**
     * An MLP through {@link MlpReference} (main's float64 reference of the device MLP), with its
     * magnitudes: M of the loss at w + t d is the reference's magnitude loss there plus the point's
     * own rounding through the gradient, sum |g_j| (|w_j| + |t d_j|); the chain is twice
     * {@link MlpReference#chain} for a gradient over all rows (as main's optimizer tests bound it).
     */
    final class Network implements HostObjective {
        private final MlpSpec spec;
        private final Dataset data;
        private final MlpReference ref;
        private final MlpReference mag;

        Network(MlpSpec spec, Dataset data) {
            this.spec = spec;
            this.data = data;
            this.ref = new MlpReference(spec, false);
            this.mag = new MlpReference(spec, true);
        }

        public int size() {
            return spec.parameterCount();
        }

        public double f(double[] x) {
            return ref.loss(x, data, null);
        }

        public double[] g(double[] x) {
            return ref.gradient(x, data, null);
        }

        public double fMag(double[] w, double t, double[] d) {
            double[] x = along(w, t, d);
            double m = mag.loss(x, data, null);
            double[] gm = mag.gradient(x, data, null);
            for (int j = 0; j < x.length; j++) m += gm[j] * (Math.abs(w[j]) + Math.abs(t * d[j]));
            return m;
        }

        public double[] gMag(double[] x) {
            return mag.gradient(x, data, null);
        }

        @Override
        public double chain() {
            return 2 * MlpReference.chain(spec, MlpReference.Kind.GRADIENT, data.rows());
        }
    }

    /** Neumaier's compensated sum: its error does not grow with the count. */
    final class Sum {
        private double sum;
        private double c;

        void add(double v) {
            double t = sum + v;
            c += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }

        double value() {
            return sum + c;
        }
    }
}
