package io.descent.train;

import io.descent.DescentException;
import io.descent.cl.DeviceArray;
import io.descent.objective.LinearModel;
import io.descent.objective.LogisticRegression;
import io.descent.report.Distributions;
import io.descent.report.Table;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Statistics of a fitted linear or logistic regression from the Hessian at the solution, as
 * statsmodels reports them (OLS and Logit, {@code summary()}).
 *
 * <ul>
 *   <li>Logistic: the covariance of the estimates is the inverse of the observed information
 *   X'WX, W = diag(s(1 - s)). The loss is the mean negative log-likelihood, whose Hessian is
 *   X'WX / n, so cov = H^-1 / n. z = b / se, p = P(|Z| &gt;= |z|), 95% interval b +- 1.960 se.</li>
 *   <li>Linear: cov = sigma^2 (X'X)^-1 with sigma^2 = RSS / (n - p). The loss is RSS / n, with
 *   Hessian 2 X'X / n, so cov = 2 f / (n - p) H^-1. t = b / se, p from Student's t with n - p
 *   degrees of freedom, and the interval uses its 0.975 quantile.</li>
 * </ul>
 * Standardised features: the estimates are reported on the original scale, c = T w, and so is the
 * covariance, T cov T'. With an L2 penalty no statistics are given: the penalty biases the
 * estimates, and statsmodels' regularised fits give none either.
 *
 * @param note why there are no numbers, or null when there are
 */
public record Statistics(List<String> names, double[] estimates, double[] se, double[] statistic, double[] p,
                         double[] low, double[] high, String kind, Integer dof, String note) {

    /** Most parameters for which train computes statistics unasked (a p x p inverse on the host, O(p^3)). */
    public static final int AUTO_MAX_PARAMETERS = 1000;

    /** The statistics at {@code params}, or null when the objective is not a linear model. */
    public static Statistics compute(Setup setup, double[] params) {
        if (!(setup.objective().model() instanceof LinearModel m)) {
            return null;
        }
        io.descent.objective.Objective whole = setup.objective();
        boolean logistic = m instanceof LogisticRegression;
        String kind = logistic ? "z" : "t";
        List<String> names = List.of(m.parameterNames());
        if (m.alpha() > 0) {
            return none(names, kind, "not reported: the L2 penalty (--alpha " + m.alpha() + ") biases the estimates; "
                    + "refit with --alpha 0 for standard errors");
        }
        int p = m.parameterCount();
        // the Hessian read back, its inverse and the inverse's working copy, all p x p doubles
        long bytes = 3L * p * p * Double.BYTES;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap / 2) {
            return none(names, kind, String.format(java.util.Locale.ROOT, "not reported: the inverse of the %d x %d "
                    + "Hessian needs %.1f GB of heap, more than half of this JVM's %.1f GB; raise it with "
                    + "DESCENT_JAVA_OPTS=-Xmx...", p, p, bytes / 1e9, heap / 1e9));
        }
        int n = whole instanceof io.descent.objective.Streamed st ? st.rows()
                : whole instanceof io.descent.objective.Batchable b ? b.rows() : m.rows();
        if (!logistic && n <= p) {
            return none(names, kind, "not reported: " + n + " rows leave no degrees of freedom for " + p + " parameters");
        }
        double[] h;
        double f;
        try (DeviceArray w = whole.runtime().upload(whole.precision(), params);
             DeviceArray hd = whole.runtime().allocate(whole.precision(), (long) p * p)) {
            f = whole.loss(w);
            whole.hessian(w, hd);
            h = hd.read();
        } catch (DescentException e) {
            return none(names, kind, "not reported: " + e.getMessage());
        }
        double[] inv = inverse(h, p);
        if (inv == null) {
            return none(names, kind, "not reported: the Hessian is not positive definite at these parameters (not a "
                    + "minimum, or collinear features)");
        }
        double scale = logistic ? 1.0 / n : 2 * f / (n - p);
        double[][] t = transform(setup.info(), m);
        double[] est = new double[p];
        double[] se = new double[p];
        for (int i = 0; i < p; i++) {
            for (int k = 0; k < p; k++) est[i] += t[i][k] * params[k];
            double v = 0;
            for (int a = 0; a < p; a++) {
                if (t[i][a] == 0) continue;
                for (int b = 0; b < p; b++) v += t[i][a] * inv[a * p + b] * t[i][b];
            }
            se[i] = Math.sqrt(Math.max(0, v * scale));
        }
        Integer dof = logistic ? null : n - p;
        double q = logistic ? Distributions.normalQuantile(0.95) : Distributions.studentQuantile(0.95, n - p);
        double[] stat = new double[p], pv = new double[p], lo = new double[p], hi = new double[p];
        for (int i = 0; i < p; i++) {
            stat[i] = est[i] / se[i];
            pv[i] = logistic ? Distributions.normalTwoSided(stat[i]) : Distributions.studentTwoSided(stat[i], n - p);
            lo[i] = est[i] - q * se[i];
            hi[i] = est[i] + q * se[i];
        }
        return new Statistics(names, est, se, stat, pv, lo, hi, kind, dof, null);
    }

    private static Statistics none(List<String> names, String kind, String why) {
        return new Statistics(names, null, null, null, null, null, null, kind, null, why);
    }

    /** Rows of T: original-scale coefficients from the parameters (identity unless the features were standardised). */
    static double[][] transform(io.descent.data.DeviceDataset.Info d, LinearModel m) {
        int p = m.parameterCount();
        double[][] t = new double[p][p];
        for (int i = 0; i < p; i++) t[i][i] = 1;
        if (d == null || !d.standardized()) return t;
        int o = m.intercept() ? 1 : 0;
        for (int j = 0; j < d.columns().size(); j++) {
            t[o + j][o + j] = 1 / d.scale()[j];
            if (m.intercept()) t[0][o + j] = -d.mean()[j] / d.scale()[j];
        }
        return t;
    }

    /** The inverse of a symmetric positive definite matrix by Cholesky, or null when it is not one. */
    static double[] inverse(double[] a, int p) {
        double[] l = new double[p * p];
        for (int j = 0; j < p; j++) {
            double s = a[j * p + j];
            for (int k = 0; k < j; k++) s -= l[j * p + k] * l[j * p + k];
            if (!(s > 0)) return null;
            l[j * p + j] = Math.sqrt(s);
            for (int i = j + 1; i < p; i++) {
                double v = 0.5 * (a[i * p + j] + a[j * p + i]);
                for (int k = 0; k < j; k++) v -= l[i * p + k] * l[j * p + k];
                l[i * p + j] = v / l[j * p + j];
            }
        }
        double[] inv = new double[p * p];
        double[] e = new double[p], y = new double[p];
        for (int c = 0; c < p; c++) {
            java.util.Arrays.fill(e, 0);
            e[c] = 1;
            for (int i = 0; i < p; i++) {
                double v = e[i];
                for (int k = 0; k < i; k++) v -= l[i * p + k] * y[k];
                y[i] = v / l[i * p + i];
            }
            for (int i = p - 1; i >= 0; i--) {
                double v = y[i];
                for (int k = i + 1; k < p; k++) v -= l[k * p + i] * inv[k * p + c];
                inv[i * p + c] = v / l[i * p + i];
            }
        }
        return inv;
    }

    /** The JSON keys of {@code train --json}: standard_errors, z_values or t_values, p_values, conf_int. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (note != null) {
            m.put("statistics_note", note);
            return m;
        }
        m.put("standard_errors", byName(se));
        m.put(kind + "_values", byName(statistic));
        m.put("p_values", byName(p));
        Map<String, Object> ci = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) ci.put(names.get(i), List.of(low[i], high[i]));
        m.put("conf_int_95", ci);
        if (dof != null) m.put("residual_dof", dof);
        return m;
    }

    private Map<String, Object> byName(double[] v) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) m.put(names.get(i), v[i]);
        return m;
    }

    /** A statsmodels-like coefficient table, or the note. */
    public String table() {
        if (note != null) return "statistics: " + note + "\n";
        Table t = new Table("", "coef", "std err", kind, "P>|" + kind + "|", "[0.025", "0.975]");
        for (int i = 0; i < names.size(); i++) {
            t.row(names.get(i), fmt(estimates[i]), fmt(se[i]), String.format(Locale.ROOT, "%.3f", statistic[i]),
                    p[i] < 0.001 ? String.format(Locale.ROOT, "%.2e", p[i]) : String.format(Locale.ROOT, "%.3f", p[i]),
                    fmt(low[i]), fmt(high[i]));
        }
        return t + (dof != null ? "residual degrees of freedom: " + dof + "\n" : "");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

}
