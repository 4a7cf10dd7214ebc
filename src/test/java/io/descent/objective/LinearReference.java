package io.descent.objective;

/**
 * Plain-Java float64 reference of linear and logistic regression (the formulas of linear.cl), with
 * the magnitudes a first-order rounding analysis needs to bound a device result's error.
 *
 * <p>Error model for a device evaluation in precision u, over the same (already rounded) inputs:
 * each z_i = x_i . w picks up at most (k + 2) u zAbs_i with zAbs_i = |w_0| + sum_j |x_ij w_j| + |y_i|
 * (the +|y| covers forming z - y); a per-row value l or l' picks up 8 u of itself on top (a few
 * operations, exp/log1p within 4 ulp), and the sum over rows adds at most SUM_CHAIN u of the sum of
 * absolute terms (the tree reduction's chain length, below 64 for every size tested).
 *
 * <p>The reference itself sums rows with compensated (Neumaier) summation, so its error does not
 * grow with n; its per-row rounding (the same model with u = 2^-53) is added to every bound by
 * {@link #U64}: in float64 that doubles the per-row share, in float32 it is negligible.
 *
 * <p>Public (with the constructor, loss, gradient and its bound) for the optimizer tests, which
 * step their own float64 references with these gradients.
 */
public final class LinearReference {
    static final int SUM_CHAIN = 64;
    static final double U64 = 0x1p-53;

    /** Compensated sum (Neumaier): error about 2u of the result, independent of the count. */
    static final class Neumaier {
        private double sum;
        private double c;

        void add(double x) {
            double t = sum + x;
            c += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }

        double value() {
            return sum + c;
        }

        static Neumaier[] array(int n) {
            Neumaier[] a = new Neumaier[n];
            for (int i = 0; i < n; i++) a[i] = new Neumaier();
            return a;
        }
    }

    final int n;
    final int k;
    final boolean intercept;
    final boolean logistic;
    final double alpha;
    final double[] x; // row-major n x k
    final double[] y;

    public LinearReference(int n, int k, double[] x, double[] y, boolean intercept, boolean logistic, double alpha) {
        this.n = n;
        this.k = k;
        this.x = x;
        this.y = y;
        this.intercept = intercept;
        this.logistic = logistic;
        this.alpha = alpha;
    }

    int p() {
        return k + (intercept ? 1 : 0);
    }

    /** Input j of parameter j for row i (1 for the intercept). */
    double feature(int i, int j) {
        return intercept ? (j == 0 ? 1 : x[i * k + j - 1]) : x[i * k + j];
    }

    double z(int i, double[] w) {
        double z = 0;
        for (int j = 0; j < p(); j++) z += feature(i, j) * w[j];
        return z;
    }

    double zAbs(int i, double[] w) {
        double s = Math.abs(y[i]);
        for (int j = 0; j < p(); j++) s += Math.abs(feature(i, j) * w[j]);
        return s;
    }

    double l(double z, double y) {
        if (!logistic) return (z - y) * (z - y);
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z;
    }

    double d1(double z, double y) {
        return logistic ? sigmoid(z) - y : 2 * (z - y);
    }

    double d2(double z) {
        if (!logistic) return 2;
        double s = sigmoid(z);
        return s * (1 - s);
    }

    /** Largest |l''| (bounds how an error in z moves l'). */
    double d2Max() {
        return logistic ? 0.25 : 2;
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    double penalty(double[] w) {
        double s = 0;
        for (int j = intercept ? 1 : 0; j < p(); j++) s += w[j] * w[j];
        return alpha * s;
    }

    public double loss(double[] w) {
        Neumaier s = new Neumaier();
        for (int i = 0; i < n; i++) s.add(l(z(i, w), y[i]));
        return s.value() / n + penalty(w);
    }

    /** First-order bound on |device loss - loss| in unit roundoff u. */
    double lossTolerance(double[] w, double u) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double z = z(i, w);
            double li = Math.abs(l(z, y[i]));
            s += (k + 2) * Math.abs(d1(z, y[i])) * zAbs(i, w) + 8 * (li + 1) + SUM_CHAIN * li;
        }
        return (u + U64) * (s / n + 4 * penalty(w)) + 1e-300;
    }

    public double[] gradient(double[] w) {
        Neumaier[] acc = Neumaier.array(p());
        for (int i = 0; i < n; i++) {
            double d = d1(z(i, w), y[i]);
            for (int j = 0; j < p(); j++) acc[j].add(d * feature(i, j));
        }
        double[] g = new double[p()];
        for (int j = 0; j < p(); j++) {
            g[j] = acc[j].value() / n;
            if (!(intercept && j == 0)) g[j] += 2 * alpha * w[j];
        }
        return g;
    }

    public double[] gradientTolerance(double[] w, double u) {
        double[] t = new double[p()];
        for (int i = 0; i < n; i++) {
            double z = z(i, w);
            double d = Math.abs(d1(z, y[i]));
            double zErr = (k + 2) * d2Max() * zAbs(i, w);
            for (int j = 0; j < p(); j++) {
                double xj = Math.abs(feature(i, j));
                t[j] += zErr * xj + (8 + SUM_CHAIN) * d * xj + 8 * xj;
            }
        }
        for (int j = 0; j < p(); j++) t[j] = (u + U64) * (t[j] / n + 4 * alpha * Math.abs(w[j])) + 1e-300;
        return t;
    }

    /** Dense Hessian, row-major: (1/n) X' diag(l'') X + 2 alpha I (intercept unpenalised). */
    public double[] hessian(double[] w) {
        int p = p();
        Neumaier[] acc = Neumaier.array(p * p);
        for (int i = 0; i < n; i++) {
            double d = d2(z(i, w));
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) acc[a * p + b].add(d * feature(i, a) * feature(i, b));
            }
        }
        double[] h = new double[p * p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) h[a * p + b] = acc[a * p + b].value() / n;
            if (!(intercept && a == 0)) h[a * p + a] += 2 * alpha;
        }
        return h;
    }

    /** Bound for H entries: l'' moves by at most 0.1 |dz| (|l'''| <= 0.1 for the logistic). */
    double[] hessianTolerance(double[] w, double u, double uAcc) {
        int p = p();
        double[] t = new double[p * p];
        for (int i = 0; i < n; i++) {
            double z = z(i, w);
            double dErr = logistic ? (k + 2) * 0.1 * zAbs(i, w) + 8 * d2(z) : 0;
            for (int a = 0; a < p; a++) {
                for (int b = 0; b < p; b++) {
                    double xx = Math.abs(feature(i, a) * feature(i, b));
                    t[a * p + b] += (u + U64) * dErr * xx + (uAcc + U64) * SUM_CHAIN * d2(z) * xx;
                }
            }
        }
        for (int e = 0; e < p * p; e++) t[e] = t[e] / n + 4 * u * alpha + 1e-300;
        return t;
    }
}
