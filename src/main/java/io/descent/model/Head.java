package io.descent.model;

import io.descent.UsageException;

/**
 * How a model's K outputs per row become a prediction: a value (regression), or a class and the
 * classes' probabilities. One small subclass per loss: a softmax network adds one whose {@link
 * #probabilities} is the softmax of its K outputs.
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
            default -> throw new UsageException("a model with loss '" + s.loss() + "' is not one this version of descent "
                    + "can run (it knows mse and bce)");
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
}
