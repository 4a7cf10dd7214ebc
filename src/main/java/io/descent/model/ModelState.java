package io.descent.model;

import io.descent.UsageException;
import io.descent.objective.MlpSpec;
import io.descent.objective.NetworkSpec;

import java.util.List;
import java.util.Map;

/**
 * Everything a trained model needs to predict, on the host: what {@link ModelFile} writes and reads.
 *
 * @param kind        "linear", "logistic", "softmax" (multinomial regression: no hidden layer) or "mlp"
 * @param widths      the layer widths: inputs, then the hidden layers, then the outputs K (1, or one
 *                    per class with the softmax loss)
 * @param intercept   whether a linear or logistic model has an intercept (parameter 0); true for a network
 * @param alpha       the L2 penalty it was trained with: on a linear or logistic model's coefficients, on
 *                    a softmax regression's or a network's weights (0: none)
 * @param activation  after every hidden layer: identity, relu, tanh or sigmoid ("identity" without any)
 * @param loss        what the output was trained against: "mse" (regression), "bce" (two classes, one
 *                    logit output) or "softmax" (K classes, one logit each)
 * @param labels      the class labels in class order, the order of the outputs (empty for regression)
 * @param classValues the target value of each class in the data (0 and 1 for two classes; c for
 *                    output c of a softmax network, which trains on the labels 0..K-1)
 * @param features    the feature columns' names, in input order
 * @param target      the target column's name
 * @param mean        what standardisation subtracted from each feature, or null without one
 * @param scale       what it divided by (1 for a constant column), or null
 * @param precision   "fp32" or "fp64": the precision it was trained in and predicts in
 * @param parameters  the parameters on the standardised scale, in the objective's layout
 * @param training    how it was trained: optimizer, hyper-parameters, steps, stop, losses (free form)
 */
public record ModelState(String kind, List<Integer> widths, boolean intercept, double alpha, String activation,
                         String loss, List<String> labels, double[] classValues, List<String> features, String target,
                         double[] mean, double[] scale, String precision, double[] parameters,
                         Map<String, Object> training) {

    public ModelState {
        widths = List.copyOf(widths);
        labels = List.copyOf(labels);
        features = List.copyOf(features);
        training = training == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(training));
    }

    /** Feature columns a row must have. */
    public int inputs() {
        return widths.get(0);
    }

    /** Outputs per row of the forward pass. */
    public int outputs() {
        return widths.get(widths.size() - 1);
    }

    /**
     * The targets of {@code d} as this model's class values: text labels (a CSV's) matched to its
     * labels by name, numbers as they are.
     *
     * @throws io.descent.UsageException a label the model does not have, naming it
     */
    public double[] targets(io.descent.data.Dataset d, String what) {
        if (d.labels() == null) return d.y();
        double[] c = io.descent.data.Labels.relabel(d, labels, what).y();
        double[] y = new double[c.length];
        for (int i = 0; i < c.length; i++) y[i] = classValues[(int) c[i]];
        return y;
    }

    /** Whether the model predicts classes. */
    public boolean classifier() {
        return !labels.isEmpty();
    }

    public boolean standardized() {
        return mean != null;
    }

    /** The network of an "mlp" or "softmax" model, K outputs and any loss. */
    public NetworkSpec networkSpec() {
        MlpSpec.Activation act = null;
        for (MlpSpec.Activation a : MlpSpec.Activation.values()) if (a.label().equals(activation)) act = a;
        NetworkSpec.Loss l = null;
        for (NetworkSpec.Loss x : NetworkSpec.Loss.values()) if (x.label().equals(loss)) l = x;
        if (act == null || l == null) {
            throw new UsageException("a network with activation '" + activation + "' and loss '" + loss
                    + "' is not one this version of descent can run");
        }
        return new NetworkSpec(inputs(), widths.subList(1, widths.size() - 1), outputs(), act, l);
    }

    /** The parameter count the kind and widths imply. */
    public int expectedParameters() {
        return switch (kind) {
            case "linear", "logistic" -> inputs() + (intercept ? 1 : 0);
            case "mlp", "softmax" -> networkSpec().parameterCount();
            default -> throw new UsageException("unknown model kind '" + kind + "'");
        };
    }

    /** The class index of a target value, or -1 when it is none of the classes. */
    public int classOf(double value) {
        for (int c = 0; c < classValues.length; c++) if (classValues[c] == value) return c;
        return -1;
    }
}
