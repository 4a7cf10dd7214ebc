package io.descent.api;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.data.DeviceDataset;
import io.descent.objective.LinearModel;
import io.descent.objective.LinearRegression;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Network;
import io.descent.objective.NetworkSpec;
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
    private final List<Integer> hidden;
    private final MlpSpec.Activation activation;
    private final NetworkSpec.Loss loss;
    private boolean intercept = true;
    private double alpha;
    private long seed = 42;
    private Setup setup;
    private Data heldOut;

    /** A linear or logistic model ("linear", "logistic"). */
    Model(Descent session, Data data, String kind) {
        this(session, data, kind, List.of(), MlpSpec.Activation.IDENTITY, null);
    }

    /** A network ("mlp") of these hidden layers and loss (softmax: one output per class). */
    Model(Descent session, Data data, String kind, List<Integer> hidden, MlpSpec.Activation activation,
          NetworkSpec.Loss loss) {
        this.session = session;
        this.data = data;
        this.kind = kind;
        this.hidden = List.copyOf(hidden);
        this.activation = activation;
        this.loss = loss;
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
     * The L2 penalty (default 0: none): alpha ||w||^2 of a linear or logistic model, the intercept not
     * penalised; alpha ||W||^2 of a softmax regression's or a network's weights, the biases not
     * penalised. It adds 2 alpha w to the gradient and 2 alpha to the Hessian's diagonal on the same
     * entries.
     *
     * @param value alpha, finite and at least 0
     * @return this model
     * @throws UsageException a negative, infinite or NaN value, named in the message
     */
    public Model alpha(double value) {
        unbuilt("alpha");
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new UsageException("Model.alpha(" + value + "): the L2 penalty must be a finite number >= 0 (0 for "
                    + "none, e.g. 1e-3 for a small one)");
        }
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
     * Held-out rows: their loss is recorded after every step (on the device, read back with the
     * training loss, so it never makes a step wait), in {@link Fit#history()} and {@link Fit#json()},
     * and {@link Stop#earlyStop} can stop on it. Give the rows on their original scale: when the
     * training data are standardised, their statistics (of the training rows only) are applied.
     *
     * @param rows the held-out rows and targets, with the training data's columns
     * @return this model
     * @throws UsageException rows with another column count
     */
    public Model validation(Data rows) {
        unbuilt("validation");
        if (rows.columns() != data.columns()) {
            throw new UsageException("validation rows have " + rows.columns() + " feature columns; the training data have "
                    + data.columns());
        }
        this.heldOut = rows;
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
        return fit(optimizer, stop, null);
    }

    /**
     * Fits from given starting parameters.
     *
     * @param optimizer a spec as on the command line: "newton", "adam:lr=0.01", "lbfgs", "sgd:batch=64"
     * @param stop      when to stop
     * @param start     one value per parameter ({@code new double[parameters()]} for zeros), or null for the
     *                  model's default
     * @return the result
     * @throws UsageException an unknown optimizer, a value out of range, or a start of the wrong length
     */
    public Fit fit(String optimizer, Stop stop, double[] start) {
        try (Optimizer o = Optimizers.parse(optimizer)) {
            return fit(o, stop, start);
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
            throw new UsageException("fit: the start has " + init.length + " values, the model has "
                    + s.objective().parameterCount() + " parameters");
        }
        Trainer trainer = new Trainer();
        if (s.validation() != null) {
            trainer.validateOn(s.validation(), 1, stop.earlyStop());
        } else if (stop.earlyStop() > 0) {
            throw new UsageException("Stop.earlyStop(" + stop.earlyStop() + ") needs held-out rows: call "
                    + "Model.validation(rows) before the first fit");
        }
        Run.Outcome o = Run.execute(s, optimizer, init, trainer, stop.options(), new Trainer.Listener() { }, null, null);
        List<String> warnings = new java.util.ArrayList<>(optimizer instanceof io.descent.optim.Warnings w
                ? w.warnings() : List.of());
        String separated = io.descent.model.Separation.check(s, o.params(), "Model.alpha");
        if (separated != null) warnings.add(separated);
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
            List<String> labels = data.dataset().labels();
            boolean classifier = kind.equals("logistic") || (loss != null && loss != NetworkSpec.Loss.MSE);
            if (labels != null && !classifier) {
                throw new UsageException("the target '" + data.dataset().target() + "' holds text labels " + labels
                        + ": fit a classifier (logistic, softmax, or an mlp with the bce or softmax loss), or give a"
                        + " numeric target");
            }
            io.descent.data.Labels.requireTwoUnlessSoftmax(data.dataset(), loss == NetworkSpec.Loss.SOFTMAX, "", "softmax");
            DeviceDataset d = new DeviceDataset(session.runtime(), data.dataset(), session.currentPrecision());
            try {
                Objective f = objective(d);
                setup = Setup.of(f, d, seed);
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
            if (heldOut != null) {
                io.descent.data.Dataset held = heldOut.scaledLike(data);
                if (labels != null || held.labels() != null) {
                    held = io.descent.data.Labels.relabel(held, labels, "the validation data");
                }
                DeviceDataset v = new DeviceDataset(session.runtime(), held, session.currentPrecision());
                try {
                    // a softmax network's classes are the training data's, not counted again on held-out rows
                    Objective trained = setup.objective().model();
                    setup.withValidation(trained instanceof io.descent.objective.Network n
                            && n.spec().loss() == io.descent.objective.NetworkSpec.Loss.SOFTMAX
                            ? io.descent.objective.Network.withClassesOf(n, v) : objective(v), v);
                } catch (RuntimeException e) {
                    v.close();
                    throw e;
                }
            }
        }
        return setup;
    }


    private Objective objective(DeviceDataset d) {
        return switch (kind) {
            case "linear" -> new LinearRegression(d, intercept, alpha);
            case "logistic" -> new LogisticRegression(d, intercept, alpha);
            default -> network(d);
        };
    }

    /** The objective training uses for this network: as {@code descent train} chooses it. */
    private Objective network(DeviceDataset d) {
        if (loss == NetworkSpec.Loss.SOFTMAX) {
            return Network.softmaxNetwork(d, hidden, activation, Mlp.Curvature.EXACT, 0, alpha);
        }
        MlpSpec spec = new MlpSpec(d.cols(), hidden, activation, loss == NetworkSpec.Loss.BCE ? MlpSpec.Loss.BCE : MlpSpec.Loss.MSE);
        // wider than the fused kernel takes: layers as matrix products
        return Network.fused(spec, d.runtime()) ? new Mlp(d, spec, Mlp.Curvature.EXACT, alpha)
                : new Network(d, NetworkSpec.of(spec), Mlp.Curvature.EXACT, null, Network.DEFAULT_BLOCK_BYTES, alpha);
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
