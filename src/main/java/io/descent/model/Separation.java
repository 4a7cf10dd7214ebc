package io.descent.model;

import io.descent.data.Dataset;
import io.descent.objective.Forward;
import io.descent.objective.LinearModel;
import io.descent.objective.LogisticRegression;
import io.descent.train.Setup;

import java.util.Locale;

/**
 * The warning statsmodels gives as "perfect separation": a logistic regression without a penalty
 * whose fitted parameters classify every training row right, or a softmax (multinomial) regression
 * without a penalty whose largest output is every training row's class. Then the likelihood has no maximum:
 * the longer the fit, the larger the coefficients and the closer the probabilities to 0 and 1, and
 * held-out rows get confident wrong answers. An L2 penalty gives it a finite minimum.
 */
public final class Separation {
    private Separation() {
    }

    /**
     * The warning for a fit, or null when the model is not an unpenalised logistic or softmax
     * regression (a network without hidden layers and the softmax loss) on rows in memory, or the
     * fitted parameters misclassify some training row.
     *
     * @param penalty how the caller names the penalty: "--alpha" on the command line, "Model.alpha" in the API
     */
    public static String check(Setup setup, double[] params, String penalty) {
        if (setup.objective().model() instanceof io.descent.objective.Network n) return softmax(setup, n, params, penalty);
        if (!(setup.objective().model() instanceof LogisticRegression m) || m.alpha() > 0) return null;
        Dataset d = setup.hostData();
        if (d == null) return null;
        LinearModel lm = m;
        double[] z = Forward.linear(m.runtime(), m.precision(), d.cols(), lm.intercept()).outputs(params, d.x(), d.rows());
        double margin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < z.length; i++) {
            double signed = d.y()[i] == 1 ? z[i] : -z[i];
            if (!(signed > 0)) return null;
            margin = Math.min(margin, signed);
        }
        double largest = 0;
        for (int i = lm.intercept() ? 1 : 0; i < params.length; i++) largest = Math.max(largest, Math.abs(params[i]));
        return String.format(Locale.ROOT, "the classes are separable in the training data: the fit classifies all %d rows "
                + "right (smallest margin %.3g), so without a penalty the coefficients grow without bound (largest |w| = "
                + "%.3g so far) and probabilities run to 0 and 1; set a small L2 penalty (%s, e.g. 1e-3) for a finite, "
                + "better calibrated fit", z.length, margin, largest, penalty);
    }

    /**
     * Softmax regression: every row's largest output (the argmax of its K logits, on the device) is
     * its class. Then scaling all the weights up lowers the loss without end, as for logistic
     * regression; the margin is the smallest gap between a row's own logit and the largest other one.
     */
    private static String softmax(Setup setup, io.descent.objective.Network n, double[] params, String penalty) {
        io.descent.objective.NetworkSpec spec = n.spec();
        if (!spec.hidden().isEmpty() || spec.loss() != io.descent.objective.NetworkSpec.Loss.SOFTMAX || n.alpha() > 0) {
            return null;
        }
        Dataset d = setup.hostData();
        if (d == null) return null;
        int k = spec.outputs();
        double[] z = Forward.network(n.runtime(), n.precision(), spec).outputs(params, d.x(), d.rows());
        double margin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < d.rows(); i++) {
            int c = (int) d.y()[i];
            double own = z[i * k + c], other = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) if (j != c) other = Math.max(other, z[i * k + j]);
            double gap = own - other;
            if (!(gap > 0)) return null;
            margin = Math.min(margin, gap);
        }
        double largest = 0;
        for (int l = 0; l < spec.layers(); l++) {
            for (int j = spec.weightOffset(l); j < spec.biasOffset(l); j++) largest = Math.max(largest, Math.abs(params[j]));
        }
        return String.format(Locale.ROOT, "the classes are separable in the training data: the softmax fit classifies all "
                + "%d rows right (smallest gap between a row's own logit and its largest other one %.3g), so without a penalty the "
                + "weights grow without bound (largest |w| = %.3g so far) and probabilities run to 0 and 1; set a small L2 "
                + "penalty (%s, e.g. 1e-3) for a finite, better calibrated fit", d.rows(), margin, largest, penalty);
    }
}
