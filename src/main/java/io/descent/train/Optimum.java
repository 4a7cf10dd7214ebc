package io.descent.train;

import io.descent.data.Dataset;

/**
 * The best loss of a linear or logistic model, computed on the host in float64, for targets: the
 * least-squares optimum from the normal equations, and the logistic optimum by Newton's method
 * (IRLS) with a backtracking line search. The losses are the objectives' own: (1/n) sum l(z_i, y_i)
 * + alpha ||w||^2 with the intercept, when there is one, parameter 0 and not penalised.
 */
final class Optimum {
    /** Above n p^2 = this, the host solve would take more than a few seconds: no optimum. */
    static final double MAX_WORK = 4e9;

    private Optimum() {
    }

    /** Whether the host can afford a solve for {@code rows} x {@code p}. */
    static boolean affordable(long rows, int p, int passes) {
        return (double) rows * p * p * passes <= MAX_WORK;
    }

    /** min over w of (1/n) ||X w - y||^2 + alpha ||w||^2 (intercept unpenalised). */
    static double leastSquares(Dataset d, boolean intercept, double alpha) {
        return linearLoss(d, intercept, alpha, leastSquaresParams(d, intercept, alpha));
    }

    /** The w of {@link #leastSquares}. */
    static double[] leastSquaresParams(Dataset d, boolean intercept, double alpha) {
        int p = d.cols() + (intercept ? 1 : 0);
        double[] a = new double[p * p];
        double[] b = new double[p];
        double[] row = new double[p];
        int n = d.rows();
        for (int i = 0; i < n; i++) {
            features(d, i, intercept, row);
            double y = d.y()[i];
            for (int j = 0; j < p; j++) {
                b[j] += row[j] * y / n;
                for (int k = j; k < p; k++) a[j * p + k] += row[j] * row[k] / n;
            }
        }
        mirror(a, p);
        for (int j = intercept ? 1 : 0; j < p; j++) a[j * p + j] += alpha;
        return solve(a, b, p);
    }

    /** The minimum of the logistic loss (labels 0/1) by damped Newton; NaN if it does not converge. */
    static double logistic(Dataset d, boolean intercept, double alpha) {
        double[] w = logisticParams(d, intercept, alpha);
        return w == null ? Double.NaN : logisticLoss(d, intercept, alpha, w);
    }

    /** The minimiser of {@link #logistic}, or null if Newton does not converge. */
    static double[] logisticParams(Dataset d, boolean intercept, double alpha) {
        int p = d.cols() + (intercept ? 1 : 0);
        double[] w = new double[p];
        double f = logisticLoss(d, intercept, alpha, w);
        double[] row = new double[p];
        int n = d.rows();
        for (int it = 0; it < 50; it++) {
            double[] g = new double[p];
            double[] h = new double[p * p];
            for (int i = 0; i < n; i++) {
                features(d, i, intercept, row);
                double z = dot(row, w);
                double s = sigmoid(z);
                double r = (s - d.y()[i]) / n;
                double c = s * (1 - s) / n;
                for (int j = 0; j < p; j++) {
                    g[j] += r * row[j];
                    for (int k = j; k < p; k++) h[j * p + k] += c * row[j] * row[k];
                }
            }
            mirror(h, p);
            for (int j = intercept ? 1 : 0; j < p; j++) {
                g[j] += 2 * alpha * w[j];
                h[j * p + j] += 2 * alpha;
            }
            for (int j = 0; j < p; j++) h[j * p + j] += 1e-12 * (1 + h[j * p + j]);
            double[] step = solve(h, g, p);
            double decrement = dot(step, g);
            if (!(decrement >= 0)) {
                return null;
            }
            if (decrement < 1e-20) {
                return w;
            }
            double t = 1;
            double next;
            double[] trial = new double[p];
            while (true) {
                for (int j = 0; j < p; j++) trial[j] = w[j] - t * step[j];
                next = logisticLoss(d, intercept, alpha, trial);
                if (next <= f - 0.25 * t * decrement || t < 1e-10) break;
                t *= 0.5;
            }
            if (!(next < f)) {
                return w;
            }
            w = trial.clone();
            f = next;
        }
        return w;
    }

    static double linearLoss(Dataset d, boolean intercept, double alpha, double[] w) {
        double[] row = new double[w.length];
        double s = 0;
        for (int i = 0; i < d.rows(); i++) {
            features(d, i, intercept, row);
            double r = dot(row, w) - d.y()[i];
            s += r * r;
        }
        return s / d.rows() + penalty(w, intercept, alpha);
    }

    static double logisticLoss(Dataset d, boolean intercept, double alpha, double[] w) {
        double[] row = new double[w.length];
        double s = 0;
        for (int i = 0; i < d.rows(); i++) {
            features(d, i, intercept, row);
            double z = dot(row, w);
            s += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - d.y()[i] * z;
        }
        return s / d.rows() + penalty(w, intercept, alpha);
    }

    private static double penalty(double[] w, boolean intercept, double alpha) {
        double s = 0;
        for (int j = intercept ? 1 : 0; j < w.length; j++) s += w[j] * w[j];
        return alpha * s;
    }

    private static void features(Dataset d, int i, boolean intercept, double[] row) {
        int o = intercept ? 1 : 0;
        if (intercept) row[0] = 1;
        System.arraycopy(d.x(), i * d.cols(), row, o, d.cols());
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    private static void mirror(double[] a, int p) {
        for (int j = 0; j < p; j++) for (int k = 0; k < j; k++) a[j * p + k] = a[k * p + j];
    }

    /** x with a x = b, by Cholesky (a symmetric positive definite), falling back to a tiny ridge. */
    private static double[] solve(double[] a0, double[] b, int p) {
        for (double ridge = 0; ; ridge = ridge == 0 ? 1e-14 : ridge * 100) {
            double[] l = a0.clone();
            boolean ok = true;
            for (int j = 0; j < p && ok; j++) {
                double s = l[j * p + j] + ridge * (1 + Math.abs(a0[j * p + j]));
                for (int k = 0; k < j; k++) s -= l[j * p + k] * l[j * p + k];
                if (!(s > 0)) {
                    ok = false;
                    break;
                }
                l[j * p + j] = Math.sqrt(s);
                for (int i = j + 1; i < p; i++) {
                    double t = l[i * p + j];
                    for (int k = 0; k < j; k++) t -= l[i * p + k] * l[j * p + k];
                    l[i * p + j] = t / l[j * p + j];
                }
            }
            if (!ok) {
                if (ridge > 1) throw new IllegalStateException("normal equations are singular");
                continue;
            }
            double[] y = new double[p];
            for (int i = 0; i < p; i++) {
                double t = b[i];
                for (int k = 0; k < i; k++) t -= l[i * p + k] * y[k];
                y[i] = t / l[i * p + i];
            }
            double[] x = new double[p];
            for (int i = p - 1; i >= 0; i--) {
                double t = y[i];
                for (int k = i + 1; k < p; k++) t -= l[k * p + i] * x[k];
                x[i] = t / l[i * p + i];
            }
            return x;
        }
    }
}
