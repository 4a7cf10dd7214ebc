package io.descent.objective;

import io.descent.UsageException;
import io.descent.data.DeviceDataset;

/**
 * Binary logistic regression: labels 0/1, f(w) = (1/n) sum_i [log(1 + e^(z_i)) - y_i z_i]
 * + alpha ||w||^2 with z_i = x_i . w (the mean binary cross-entropy, computed without overflow).
 * Gradient (1/n) X'(s(z) - y) + 2 alpha w; Hessian X'DX + 2 alpha I with D = s(z)(1 - s(z))/n, so
 * Newton's method is IRLS and needs several steps.
 */
public final class LogisticRegression extends LinearModel {
    public LogisticRegression(DeviceDataset data, boolean intercept, double alpha) {
        super(checkLabels(data), intercept, alpha, 1);
    }

    private static DeviceDataset checkLabels(DeviceDataset data) {
        if (data.host() != null) { // a chunk of a streamed set: its source checks the labels
            checkLabels(data.host());
        }
        return data;
    }

    /** Fails unless every target of {@code d} is 0 or 1, naming the first that is not. */
    public static void checkLabels(io.descent.data.Dataset d) {
        double[] y = d.y();
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 0 && y[i] != 1) {
                throw new UsageException("logistic regression needs labels 0 or 1, but row " + (i + 1) + " of '"
                        + d.name() + "' has " + d.target() + " = " + y[i] + ": recode the target column to 0/1");
            }
        }
    }

    @Override
    public String name() {
        return "logistic regression (" + parameterCount() + " parameters, " + rows() + " rows)";
    }
}
