package io.descent.api;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.data.DeviceDataset;
import io.descent.objective.LinearModel;
import io.descent.objective.LinearRegression;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;
import io.descent.optim.Optimizer;
import io.descent.optim.Optimizers;
import io.descent.train.Run;
import io.descent.train.Setup;
import io.descent.train.Trainer;

import java.util.List;

/**
 * A model on the session's device: its data uploaded once, fitted as often as wanted (each fit
 * starts afresh). Linear and logistic models have an intercept unless {@link #intercept(boolean)}
 * says otherwise; set it and {@link #alpha(double)} before the first fit.
 */
public final class Model implements AutoCloseable {
    private final Descent session;
    private final Data data;
    private final String kind;
    private final MlpSpec spec;
    private boolean intercept = true;
    private double alpha;
    private long seed = 42;
    private Setup setup;

    Model(Descent session, Data data, String kind, MlpSpec spec) {
        this.session = session;
        this.data = data;
        this.kind = kind;
        this.spec = spec;
    }

    /**
     * Whether a linear or logistic model fits an intercept (default true).
     *
     * @param on fit one
     * @return this model
     */
    public Model intercept(boolean on) {
        unbuilt("intercept");
        this.intercept = on;
        return this;
    }

    /**
     * The L2 penalty alpha ||w||^2 of a linear or logistic model (default 0; the intercept is not penalised).
     *
     * @param value alpha, finite and at least 0
     * @return this model
     */
    public Model alpha(double value) {
        unbuilt("alpha");
        this.alpha = value;
        return this;
    }

    /**
     * The seed of the default starting point (default 42).
     *
     * @param value the seed
     * @return this model
     */
    public Model seed(long value) {
        unbuilt("seed");
        this.seed = value;
        return this;
    }

    /**
     * The number of parameters.
     *
     * @return p (with the intercept)
     */
    public int parameters() {
        return setup().objective().parameterCount();
    }

    /**
     * The parameters' names: "intercept" and the columns for linear and logistic models, indices otherwise.
     *
     * @return one name per parameter
     */
    public List<String> parameterNames() {
        Objective f = setup().objective();
        if (f.model() instanceof LinearModel m) return List.of(m.parameterNames());
        String[] n = new String[f.parameterCount()];
        for (int i = 0; i < n.length; i++) n[i] = "w" + i;
        return List.of(n);
    }

    /**
     * Fits from the model's default starting point.
     *
     * @param optimizer a spec as on the command line: "newton", "adam:lr=0.01", "lbfgs", "sgd:batch=64"
     * @param stop      when to stop
     * @return the result
     * @throws UsageException an unknown optimizer or a value out of range, named in the message
     */
    public Fit fit(String optimizer, Stop stop) {
        try (Optimizer o = Optimizers.parse(optimizer)) {
            return fit(o, stop, null);
        }
    }

    /**
     * Fits with an optimizer object (made with {@code io.descent.optim.Optimizers.parse} or a constructor).
     *
     * @param optimizer the optimizer (not closed here)
     * @param stop      when to stop
     * @param start     the starting parameters, or null for the model's default
     * @return the result
     */
    public Fit fit(Optimizer optimizer, Stop stop, double[] start) {
        Setup s = setup();
        double[] init = start != null ? start.clone() : s.defaultInit();
        if (init.length != s.objective().parameterCount()) {
            throw new UsageException("start has " + init.length + " values, the model has " + s.objective().parameterCount());
        }
        Run.Outcome o = Run.execute(s, optimizer, init, new Trainer(), stop.options(), new Trainer.Listener() { }, null, null);
        List<String> warnings = optimizer instanceof io.descent.optim.Warnings w ? w.warnings() : List.of();
        if (!warnings.isEmpty()) o.report().json.put("warnings", warnings);
        TrainedModel trained = new TrainedModel(io.descent.model.Models.of(s, o.params(), o.report()), session);
        return new Fit(o, parameterNames(), trained, warnings);
    }

    /**
     * The loss at some parameters, on the device.
     *
     * @param params one value per parameter
     * @return f(params)
     */
    public double loss(double[] params) {
        Objective f = setup().objective();
        try (DeviceArray w = f.runtime().upload(f.precision(), params)) {
            return f.loss(w);
        }
    }

    private void unbuilt(String what) {
        if (setup != null) throw new IllegalStateException(what + " must be set before the model's first use");
    }

    private Setup setup() {
        if (setup == null) {
            DeviceDataset d = new DeviceDataset(session.runtime(), data.dataset(), session.currentPrecision());
            try {
                Objective f = switch (kind) {
                    case "linear" -> new LinearRegression(d, intercept, alpha);
                    case "logistic" -> new LogisticRegression(d, intercept, alpha);
                    default -> new Mlp(d, spec);
                };
                setup = Setup.of(f, d, seed);
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
        }
        return setup;
    }


    /** Releases the model's data and buffers on the device. */
    @Override
    public void close() {
        if (setup != null) {
            setup.close();
            setup = null;
        }
        session.forget(this);
    }
}
