package io.descent.model;

import io.descent.UsageException;

/**
 * How a model's K outputs per row become a prediction: a value (regression), or a class and the
 * classes' probabilities. One small subclass per loss: {@link Regression} (mse), {@link Binary} (bce,
 * one logit) and {@link Softmax} (K logits, one per class).
 */
public abstract class Head {
    /** Outputs per row the forward pass gives this head. */
    abstract int outputs();

    /** Classes (0 for regression). */
    abstract int classes();

    /**
     * The prediction of one row: the value, or the class index.
     *
     * @param z   the forward pass's outputs, K per row
     * @param row the row
     */
    abstract double predict(double[] z, int row);

    /** Class probabilities of one row into {@code into[0..classes)}. */
    abstract void probabilities(double[] z, int row, double[] into);

    /** The head of a model: by its loss, checked against its outputs and classes. */
    public static Head of(ModelState s) {
        Head h = switch (s.loss()) {
            case "mse" -> new Regression();
            case "bce" -> new Binary();
            case "softmax" -> new Softmax(Math.max(2, s.outputs()));
            default -> throw new UsageException("a model with loss '" + s.loss() + "' is not one this version of descent "
                    + "can run (it knows mse, bce and softmax)");
        };
        if (s.outputs() != h.outputs() || s.labels().size() != h.classes() || s.classValues().length != h.classes()) {
            throw new UsageException("a model with loss " + s.loss() + " has " + h.outputs() + " output(s) and "
                    + h.classes() + " classes; this one has " + s.outputs() + " output(s) and " + s.labels().size()
                    + " classes");
        }
        return h;
    }

    /** Mean squared error: the output is the prediction. */
    static final class Regression extends Head {
        @Override
        int outputs() {
            return 1;
        }

        @Override
        int classes() {
            return 0;
        }

        @Override
        double predict(double[] z, int row) {
            return z[row];
        }

        @Override
        void probabilities(double[] z, int row, double[] into) {
        }
    }

    /**
     * Two classes from one logit z (logistic regression, a network with BCE): p(class 1) = 1 / (1 +
     * e^-z); class 1 where z > 0, as scikit-learn's {@code predict} takes the sign of the decision
     * function.
     */
    static final class Binary extends Head {
        @Override
        int outputs() {
            return 1;
        }

        @Override
        int classes() {
            return 2;
        }

        @Override
        double predict(double[] z, int row) {
            return z[row] > 0 ? 1 : 0;
        }

        @Override
        void probabilities(double[] z, int row, double[] into) {
            double p = 1 / (1 + Math.exp(-z[row]));
            into[0] = 1 - p;
            into[1] = p;
        }
    }

    /**
     * K classes from K logits: p = softmax(z), computed with the largest logit subtracted; the class
     * is the first largest logit (numpy's argmax, scikit-learn's {@code predict}).
     */
    static final class Softmax extends Head {
        private final int k;

        Softmax(int k) {
            this.k = k;
        }

        @Override
        int outputs() {
            return k;
        }

        @Override
        int classes() {
            return k;
        }

        @Override
        double predict(double[] z, int row) {
            int best = 0;
            for (int c = 1; c < k; c++) if (z[row * k + c] > z[row * k + best]) best = c;
            return best;
        }

        @Override
        void probabilities(double[] z, int row, double[] into) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) max = Math.max(max, z[row * k + c]);
            double sum = 0;
            for (int c = 0; c < k; c++) {
                into[c] = Math.exp(z[row * k + c] - max);
                sum += into[c];
            }
            for (int c = 0; c < k; c++) into[c] /= sum;
        }
    }
}
