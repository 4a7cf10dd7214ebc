package io.descent.api;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.objective.MlpSpec;
import io.descent.objective.NetworkSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A session on one OpenCL device: the runtime, its compiled kernels and every model made from it.
 * Closing it releases all of them.
 *
 * <pre>{@code
 * try (Descent d = Descent.open(); Model m = d.logisticRegression(Data.csv(path, "label"))) {
 *     Fit fit = m.fit("newton", Stop.steps(50));
 * }
 * }</pre>
 */
public final class Descent implements AutoCloseable {
    private final ClRuntime runtime;
    private Precision precision = Precision.FP32;
    private final List<Model> models = new ArrayList<>();

    private Descent(ClRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Opens the default device: {@code $DESCENT_DEVICE}, else the first GPU, else the first CPU.
     *
     * @return a session on that device
     */
    public static Descent open() {
        return open(null);
    }

    /**
     * Opens the device a selector names, as {@code --device} does.
     *
     * @param selector an index from {@link #devices()}, "gpu", "cpu", part of a device name, or null
     *                 for the default device
     * @return a session on that device
     * @throws io.descent.DescentException no such device, or the driver failed
     */
    public static Descent open(String selector) {
        return new Descent(ClRuntime.open(Devices.select(selector)));
    }

    /**
     * The OpenCL devices of every platform, in the order selectors count them.
     *
     * @return one line per device: index, name, type and platform
     */
    public static List<String> devices() {
        List<String> out = new ArrayList<>();
        for (DeviceInfo d : Devices.all()) out.add(d.summary());
        return out;
    }

    /**
     * The device of this session.
     *
     * @return its name, e.g. "NVIDIA H200" or "pthread-haswell-AMD EPYC"
     */
    public String device() {
        return runtime.device().name();
    }

    /**
     * Sets the precision of models made from now on.
     *
     * @param name "fp32" (the default) or "fp64"
     * @return this session
     * @throws io.descent.UsageException an unknown name, or fp64 on a device without it
     */
    public Descent precision(String name) {
        Precision p = Precision.parse(name.toLowerCase(Locale.ROOT));
        p.requireSupportedBy(runtime.device());
        this.precision = p;
        return this;
    }

    /**
     * Least squares with an intercept: f(w) = mean((x . w + b - y)^2).
     *
     * @param data the rows and targets
     * @return a model on this device (data uploaded when first fitted)
     */
    public Model linearRegression(Data data) {
        return add(new Model(this, data, "linear"));
    }

    /**
     * Logistic regression with an intercept on 0/1 labels: f(w) = mean(log(1 + e^z) - y z).
     *
     * @param data the rows and 0/1 targets
     * @return a model on this device
     */
    public Model logisticRegression(Data data) {
        data.requireTwoClasses("logistic regression");
        return add(new Model(this, data, "logistic"));
    }

    /**
     * A multi-layer perceptron with mean squared error.
     *
     * @param data       the rows and targets
     * @param activation "identity", "relu", "tanh" or "sigmoid" after every hidden layer
     * @param hidden     the hidden layers' widths (none: a linear model)
     * @return a model on this device
     */
    public Model mlp(Data data, String activation, int... hidden) {
        return mlp(data, activation, "mse", hidden);
    }

    /**
     * A multi-layer perceptron with the given loss. Networks whose layers are at most 64 wide run in
     * one fused kernel, wider ones as layers of matrix products, as {@code descent train} runs them.
     *
     * @param data       the rows and targets (0/1 labels for "bce", class labels 0..K-1 for "softmax")
     * @param activation "identity", "relu", "tanh" or "sigmoid" after every hidden layer
     * @param loss       "mse" (regression), "bce" (two classes: binary cross-entropy on the output's
     *                   logit) or "softmax" (K = the largest label + 1 classes: cross-entropy of the
     *                   softmax of K outputs)
     * @param hidden     the hidden layers' widths (none: a linear model)
     * @return a model on this device
     * @throws io.descent.UsageException an unknown activation or loss, or labels that are not two classes 0 and 1
     */
    public Model mlp(Data data, String activation, String loss, int... hidden) {
        NetworkSpec.Loss lossKind = NetworkSpec.Loss.parse(loss);
        if (lossKind == NetworkSpec.Loss.BCE) data.requireTwoClasses("a network with the bce loss");
        List<Integer> widths = new ArrayList<>();
        for (int h : hidden) widths.add(h);
        MlpSpec.Activation act = null;
        for (MlpSpec.Activation a : MlpSpec.Activation.values()) {
            if (a.label().equalsIgnoreCase(activation)) act = a;
        }
        if (act == null) {
            throw new io.descent.UsageException("unknown activation '" + activation + "': use identity, relu, tanh or sigmoid");
        }
        new MlpSpec(data.dataset().cols(), widths, act, MlpSpec.Loss.MSE); // refuses bad widths now, not at the first fit
        return add(new Model(this, data, "mlp", widths, act, lossKind));
    }

    /**
     * Softmax (multinomial logistic) regression: K = the largest label + 1 classes, one linear output
     * per class, the cross-entropy of their softmax (scikit-learn's {@code LogisticRegression} with
     * the multinomial loss and no penalty).
     *
     * @param data the rows and class labels 0..K-1
     * @return a model on this device
     */
    public Model softmaxRegression(Data data) {
        return add(new Model(this, data, "mlp", List.of(), MlpSpec.Activation.IDENTITY, NetworkSpec.Loss.SOFTMAX));
    }

    ClRuntime runtime() {
        return runtime;
    }

    Precision currentPrecision() {
        return precision;
    }

    private Model add(Model m) {
        models.add(m);
        return m;
    }

    void forget(Model m) {
        models.remove(m);
    }

    /** Closes every model of this session, then the device runtime. */
    @Override
    public void close() {
        for (Model m : new ArrayList<>(models)) m.close();
        runtime.close();
    }
}
