package io.descent.model;

import java.util.Arrays;

/**
 * The metrics of {@code evaluate}, by scikit-learn's definitions ({@code sklearn.metrics}); every sum
 * in float64 on the host.
 */
public final class Metrics {
    private Metrics() {
    }

    /** {@code mean_squared_error}: mean of (y - p)^2. */
    public static double mse(double[] y, double[] p) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            double d = y[i] - p[i];
            s += d * d;
        }
        return s / y.length;
    }

    /** {@code mean_absolute_error}: mean of |y - p|. */
    public static double mae(double[] y, double[] p) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += Math.abs(y[i] - p[i]);
        return s / y.length;
    }

    /**
     * {@code r2_score}: 1 - sum (y - p)^2 / sum (y - mean y)^2; with constant y, 1 for a perfect
     * prediction and 0 otherwise (scikit-learn's {@code force_finite=True}).
     */
    public static double r2(double[] y, double[] p) {
        double mean = 0;
        for (double v : y) mean += v;
        mean /= y.length;
        double res = 0, tot = 0;
        for (int i = 0; i < y.length; i++) {
            double d = y[i] - p[i], e = y[i] - mean;
            res += d * d;
            tot += e * e;
        }
        if (tot == 0) return res == 0 ? 1 : 0;
        return 1 - res / tot;
    }

    /**
     * {@code log_loss}: -(1/n) sum_i log q_i[class_i], where q_i is row i of {@code prob} (n x k,
     * row-major) clipped to [eps, 1 - eps] (eps = 2^-52, float64's machine epsilon) and divided by its
     * sum, as scikit-learn does.
     *
     * @param cls the true class index of each row
     */
    public static double logLoss(int[] cls, double[] prob, int k) {
        double eps = Math.ulp(1.0);
        double s = 0;
        for (int i = 0; i < cls.length; i++) {
            double sum = 0;
            for (int c = 0; c < k; c++) sum += clip(prob[i * k + c], eps);
            s += Math.log(clip(prob[i * k + cls[i]], eps) / sum);
        }
        return -s / cls.length;
    }

    private static double clip(double p, double eps) {
        return Math.min(Math.max(p, eps), 1 - eps);
    }

    /** {@code accuracy_score}: the share of rows whose predicted class is the true one. */
    public static double accuracy(int[] cls, int[] predicted) {
        int hit = 0;
        for (int i = 0; i < cls.length; i++) if (cls[i] == predicted[i]) hit++;
        return (double) hit / cls.length;
    }

    /**
     * {@code confusion_matrix}: entry [i][j] counts the rows of true class i predicted as class j,
     * classes in the model's order.
     */
    public static long[][] confusion(int[] cls, int[] predicted, int k) {
        long[][] m = new long[k][k];
        for (int i = 0; i < cls.length; i++) m[cls[i]][predicted[i]]++;
        return m;
    }

    /**
     * {@code roc_auc_score} of a binary classifier: the area under the ROC curve of {@code score}
     * (the positive class's probability) against {@code positive}. Computed as the Mann-Whitney
     * statistic with ties counted half, which is the area under scikit-learn's curve (it joins
     * tied scores by one straight segment).
     *
     * @return the area, or NaN when only one class is present (scikit-learn raises an error there)
     */
    public static double auc(boolean[] positive, double[] score) {
        int n = score.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        long pos = 0;
        for (boolean b : positive) if (b) pos++;
        long neg = n - pos;
        if (pos == 0 || neg == 0) return Double.NaN;
        // rank sum of the positives, tied scores sharing their mean rank (ranks from 1)
        double rankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) if (positive[order[t]]) rankSum += rank;
            i = j + 1;
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}
