package io.descent.train;

import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.objective.LinearModel;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** A built experiment: the objective on the device and the data it owns. */
public final class Setup implements AutoCloseable {
    private final Experiment experiment;
    private final Objective objective;
    private final DeviceDataset data;

    /**
     * A setup around an objective built by the caller (the library API), owning it and its data.
     * {@code seed} draws the default starting point.
     */
    public static Setup of(Objective objective, DeviceDataset data, long seed) {
        Experiment e = new Experiment();
        e.seed = seed;
        return new Setup(e, objective, data, new java.util.ArrayList<>());
    }

    /**
     * A setup of {@code experiment} around an objective built elsewhere ({@link Experiment.External}),
     * closing {@code owned} after it.
     */
    public static Setup external(Experiment experiment, Objective objective, java.util.List<String> notes,
                                 java.util.List<? extends AutoCloseable> owned) {
        Setup s = new Setup(experiment, objective, null, notes);
        s.own(owned);
        return s;
    }

    private final java.util.List<String> notes;
    private Objective validation;
    private DeviceDataset validationData;
    private io.descent.objective.Accuracy accuracy;
    private boolean accuracyTried;

    /** Builds the model of {@code experiment} on the held-out rows {@code held}, on this setup's device. */
    void validateOn(Experiment experiment, io.descent.data.Dataset held) {
        validationData = new DeviceDataset(objective.runtime(), held, objective.precision());
        try {
            // a softmax network counts its classes from its labels: held-out rows take the training data's
            validation = objective.model() instanceof io.descent.objective.Network n
                    && n.spec().loss() == io.descent.objective.NetworkSpec.Loss.SOFTMAX
                    ? io.descent.objective.Network.withClassesOf(n, validationData) : experiment.model(validationData);
        } catch (RuntimeException e) {
            validationData.close();
            validationData = null;
            throw e;
        }
    }

    /** A setup of the library API with its own validation objective (owned from now on). */
    public Setup withValidation(Objective v, DeviceDataset data) {
        this.validation = v;
        this.validationData = data;
        return this;
    }

    /** The held-out rows as read (standardised as the training rows were), or null without validation data. */
    public io.descent.data.Dataset validationRows() {
        return validationData == null ? null : validationData.host();
    }

    /**
     * The classifier's accuracy on the held-out rows, computed on the device (built on the first call,
     * owned by this setup), or null without validation data or for a model without classes.
     */
    public io.descent.objective.Accuracy validationAccuracy() {
        if (!accuracyTried && validationData != null) {
            accuracyTried = true;
            accuracy = io.descent.objective.Accuracy.of(objective.model(), validationData);
        }
        return accuracy;
    }

    /** The model on the held-out rows, or null without validation data. */
    public Objective validation() {
        return validation;
    }
    private final java.util.List<AutoCloseable> owned = new java.util.ArrayList<>();

    /** Closes {@code resources} (other devices' runtimes) after the objective. */
    void own(java.util.List<? extends AutoCloseable> resources) {
        owned.addAll(resources);
    }

    Setup(Experiment experiment, Objective objective, DeviceDataset data, java.util.List<String> notes) {
        this.notes = notes;
        this.experiment = experiment;
        this.objective = objective;
        this.data = data;
    }

    public Experiment experiment() {
        return experiment;
    }

    public Objective objective() {
        return objective;
    }

    /** What a user should know about how the data went to the device (streaming, a fallback); may be empty. */
    public java.util.List<String> notes() {
        return java.util.List.copyOf(notes);
    }

    /** The host data set (null for a test function or streamed data). */
    public io.descent.data.Dataset hostData() {
        return data == null ? null : data.host();
    }

    /** The model's own starting point (Glorot/He for an MLP, the function's start, N(0, 1) otherwise). */
    public double[] defaultInit() {
        if (objective instanceof TestFunction f) {
            return f.start();
        }
        if (objective.model() instanceof LinearModel) {
            Random r = new Random(experiment.seed);
            double[] w = new double[objective.parameterCount()];
            for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
            return w;
        }
        return objective.initialParameters(new Random(experiment.seed));
    }

    /**
     * For linear and logistic models: coefficient name to value, intercept first, on the data's
     * original scale when its features were standardised (w_j / s_j, and the intercept less
     * sum w_j m_j / s_j). Null for other models.
     */
    public Map<String, Double> coefficients(double[] params) {
        if (!(objective.model() instanceof LinearModel m)) {
            return null;
        }
        DeviceDataset.Info d = info();
        String[] names = m.parameterNames();
        int o = m.intercept() ? 1 : 0;
        double[] w = params.clone();
        if (d != null && d.standardized()) {
            double shift = 0;
            for (int j = 0; j < d.columns().size(); j++) {
                w[o + j] = params[o + j] / d.scale()[j];
                shift += params[o + j] * d.mean()[j] / d.scale()[j];
            }
            if (m.intercept()) {
                w[0] = params[0] - shift;
            }
        }
        Map<String, Double> c = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            c.put(names[i], w[i]);
        }
        return c;
    }

    /** What the data are (names, standardisation), whether in memory or streamed; null for a test function. */
    public DeviceDataset.Info info() {
        if (data != null) return data.info();
        return objective instanceof io.descent.objective.Streamed st ? st.info() : null;
    }

    @Override
    public void close() {
        try {
            objective.close();
            if (data != null) {
                data.close();
            }
            if (validation != null) validation.close();
            if (accuracy != null) accuracy.close();
            if (validationData != null) validationData.close();
        } finally {
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing another device's runtime: nothing left to save
                }
            }
        }
    }
}
