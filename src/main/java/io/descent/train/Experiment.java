package io.descent.train;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.data.CsvReader;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generated;
import io.descent.data.Generators;
import io.descent.objective.LinearRegression;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What to train: the objective, its data and model, and the defaults of a run (optimizers, steps).
 * A {@link Scenario} fills one in; command-line options then override single fields.
 */
public final class Experiment {
    /** linear, logistic, mlp or function:NAME. */
    public String objective = "linear";
    /** Generator: seed000-regression, seed001-line, seed000-mlp, two-class; ignored with a CSV or a function. */
    public String generator = "seed000-regression";
    public Path csv;
    public String target;
    public boolean standardize;
    public int rows = 1000;
    public int features = 10;
    public long seed = 42;
    public List<Integer> layers = new ArrayList<>();
    public String activation = "identity";
    /** MLP curvature for second-order methods: exact (R-operator Hessian) or gauss-newton. */
    public String curvature = "exact";
    public boolean intercept;
    public double alpha;
    /** Dimension of a test function (0: the function's own). */
    public int dimension;
    public List<String> optimizers = new ArrayList<>(List.of("gd"));
    public long steps = 100;
    /**
     * Steps for KeepStepping, KeepVaulting and the line searches (0: {@link #steps}). Seed 000 runs
     * its K-methods for 100 steps and the others for 1000, since each of their steps takes many
     * forward passes.
     */
    public long keepSteps;
    /** Learning rate applied to every optimizer that does not set its own (NaN: their defaults). */
    public double lr = Double.NaN;
    /** Weights that generated the data, when known (for reports). */
    public double[] trueWeights;

    /** Steps for a run of optimizer {@code spec}. */
    public long stepsFor(String spec) {
        String n = spec.trim().toLowerCase(Locale.ROOT);
        boolean searching = n.startsWith("keep") || n.startsWith("backtracking") || n.startsWith("lbfgs");
        return keepSteps > 0 && searching ? keepSteps : steps;
    }

    /** Builds the data set (host), or null for a test function. */
    public Dataset dataset() {
        if (objective.startsWith("function:")) {
            return null;
        }
        if (csv != null) {
            CsvReader.Options o = CsvReader.Options.DEFAULTS;
            if (target != null) o = o.withTarget(target);
            if (standardize) o = o.withStandardize(true);
            if (objective.equals("logistic")) o = o.withLogisticLabels(true);
            return CsvReader.read(csv, o);
        }
        switch (generator) {
            case "seed000-regression": {
                Generated g = Generators.seed000Regression(rows, features, seed);
                trueWeights = g.trueWeights();
                return g.data();
            }
            case "seed001-line": {
                Generated g = Generators.seed001Line(seed);
                trueWeights = g.trueWeights();
                return g.data();
            }
            case "seed000-mlp":
                return Generators.seed000Mlp(rows, features, seed);
            case "two-class": {
                Generated g = Generators.twoClass(rows, features, seed);
                trueWeights = g.trueWeights();
                return g.data();
            }
            default:
                throw new UsageException("unknown data generator '" + generator
                        + "': use seed000-regression, seed001-line, seed000-mlp or two-class, or --csv FILE");
        }
    }

    /** Uploads the data and builds the objective on the device. */
    public Setup build(ClRuntime rt, Precision precision) {
        precision.requireSupportedBy(rt.device());
        if (objective.startsWith("function:")) {
            String name = objective.substring("function:".length());
            TestFunction f = dimension > 0 ? new TestFunction(rt, precision, name, dimension)
                    : new TestFunction(rt, precision, name, TestFunction.defaultDimension(name));
            return new Setup(this, f, null);
        }
        Dataset data = dataset();
        DeviceDataset d = new DeviceDataset(rt, data, precision);
        try {
            Objective obj;
            switch (objective.toLowerCase(Locale.ROOT)) {
                case "linear":
                    obj = new LinearRegression(d, intercept, alpha);
                    break;
                case "logistic":
                    obj = new LogisticRegression(d, intercept, alpha);
                    break;
                case "mlp":
                    obj = new Mlp(d, new MlpSpec(data.cols(), layers, activation(), MlpSpec.Loss.MSE), curvature());
                    break;
                default:
                    throw new UsageException("unknown objective '" + objective
                            + "': use linear, logistic, mlp or function:NAME (" + String.join(", ", TestFunction.names()) + ")");
            }
            return new Setup(this, obj, d);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    Mlp.Curvature curvature() {
        switch (curvature.toLowerCase(Locale.ROOT)) {
            case "exact": return Mlp.Curvature.EXACT;
            case "gauss-newton": case "gauss_newton": case "gn": return Mlp.Curvature.GAUSS_NEWTON;
            default: throw new UsageException("unknown curvature '" + curvature + "': use exact or gauss-newton");
        }
    }

    MlpSpec.Activation activation() {
        for (MlpSpec.Activation a : MlpSpec.Activation.values()) {
            if (a.label().equalsIgnoreCase(activation)) return a;
        }
        StringBuilder valid = new StringBuilder();
        for (MlpSpec.Activation a : MlpSpec.Activation.values()) valid.append(valid.length() == 0 ? "" : ", ").append(a.label());
        throw new UsageException("unknown activation '" + activation + "': use " + valid);
    }
}
