package io.descent.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Metrics} against scikit-learn 1.2.1 on fixed cases. The expected numbers were computed once
 * with /usr/bin/python3 and python3-sklearn ({@code sklearn.metrics.mean_squared_error},
 * {@code mean_absolute_error}, {@code r2_score}, {@code log_loss}, {@code accuracy_score},
 * {@code roc_auc_score}, {@code confusion_matrix}) on the very inputs below; they are stored here as
 * literals so the test needs no Python.
 */
class MetricsTest {
    private static final double[] Y = {0.004, 0.896, -0.822, -2.672, -1.364, -2.975, 0.18, 4.021, -1.477};
    private static final double[] P = {-0.616, 1.386, -0.465, -2.567, -2.294, -3.004, 0.875, 2.677, -1.935};

    @Test
    void regressionMetricsAreScikitLearns() {
        assertEquals(0.4586488888888889, Metrics.mse(Y, P), 1e-15);
        assertEquals(0.6772362135096505, Math.sqrt(Metrics.mse(Y, P)), 1e-15);
        assertEquals(0.5586666666666666, Metrics.mae(Y, P), 1e-15);
        assertEquals(0.884513919325929, Metrics.r2(Y, P), 1e-15);
        // r2_score on a constant target: 1.0 for a perfect prediction, 0.0 otherwise (force_finite)
        assertEquals(1.0, Metrics.r2(new double[]{2.5, 2.5, 2.5, 2.5}, new double[]{2.5, 2.5, 2.5, 2.5}));
        assertEquals(0.0, Metrics.r2(new double[]{2.5, 2.5, 2.5, 2.5}, new double[]{2.5, 2, 2.5, 2.5}));
    }

    // two classes, with tied scores and probabilities of exactly 0 and 1 (log_loss clips them)
    private static final int[] YB = {0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1};
    private static final double[] PB = {0.1, 0.9, 0.35, 0.35, 0.8, 0.65, 0.0, 1.0, 0.5, 0.2, 0.35, 0.7};

    @Test
    void binaryMetricsAreScikitLearns() {
        int n = YB.length;
        double[] prob = new double[2 * n];
        boolean[] pos = new boolean[n];
        int[] pred = new int[n];
        for (int i = 0; i < n; i++) {
            prob[2 * i] = 1 - PB[i];
            prob[2 * i + 1] = PB[i];
            pos[i] = YB[i] == 1;
            pred[i] = PB[i] > 0.5 ? 1 : 0;
        }
        assertEquals(0.44058996233593645, Metrics.logLoss(YB, prob, 2), 1e-15);
        assertEquals(0.6666666666666666, Metrics.accuracy(YB, pred), 1e-15);
        assertEquals(0.8857142857142857, Metrics.auc(pos, PB), 1e-15);
        long[][] cm = Metrics.confusion(YB, pred, 2);
        assertArrayEquals(new long[]{4, 1}, cm[0]);
        assertArrayEquals(new long[]{3, 4}, cm[1]);
        assertTrue(Double.isNaN(Metrics.auc(new boolean[]{true, true}, new double[]{0.2, 0.4})), "one class: no AUC");
    }

    @Test
    void threeClassMetricsAreScikitLearns() {
        int[] y = {0, 1, 2, 2, 1, 0, 2};
        double[] p = {.7, .2, .1, .1, .6, .3, .2, .2, .6, .5, .3, .2, .3, .3, .4, .9, .05, .05, 0, 0, 1};
        int[] pred = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            int best = 0;
            for (int c = 1; c < 3; c++) if (p[i * 3 + c] > p[i * 3 + best]) best = c;
            pred[i] = best;
        }
        assertEquals(0.613871060555511, Metrics.logLoss(y, p, 3), 1e-15);
        assertEquals(0.7142857142857143, Metrics.accuracy(y, pred), 1e-15);
        long[][] cm = Metrics.confusion(y, pred, 3);
        assertArrayEquals(new long[]{2, 0, 0}, cm[0]);
        assertArrayEquals(new long[]{0, 1, 1}, cm[1]);
        assertArrayEquals(new long[]{1, 0, 2}, cm[2]);
    }
}
