package io.descent.cli;

import io.descent.UsageException;
import io.descent.cl.Precision;
import io.descent.train.Experiment;
import io.descent.train.Scenario;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** What to train: a scenario, and options that override its data and model. */
public final class ExperimentOptions {
    @Option(names = "--scenario", paramLabel = "NAME",
            description = "A seed experiment by name ('descent scenarios' lists them); options below override it.")
    String scenario;

    @Option(names = "--objective", paramLabel = "KIND", description = "linear, logistic, mlp or function:NAME.")
    String objective;

    @Option(names = "--data", paramLabel = "GENERATOR",
            description = "Generated data: seed000-regression, seed001-line, seed000-mlp, two-class.")
    String generator;

    @Option(names = "--csv", paramLabel = "FILE", description = "Read the data from a CSV file with a header row.")
    Path csv;

    @Option(names = "--target", paramLabel = "COLUMN", description = "Target column of the CSV (default: the last).")
    String target;

    @Option(names = "--standardize", description = "Standardise CSV features (coefficients are reported on the original scale).")
    boolean standardize;

    @Option(names = "--rows", paramLabel = "N", description = "Rows of generated data.")
    Integer rows;

    @Option(names = "--features", paramLabel = "K", description = "Feature columns of generated data.")
    Integer features;

    @Option(names = "--layers", split = ",", paramLabel = "W", description = "Hidden layer widths of the MLP, e.g. 10,10,10 (none: 0).")
    List<Integer> layers;

    @Option(names = "--activation", paramLabel = "NAME", description = "identity, relu, tanh or sigmoid.")
    String activation;

    @Option(names = "--curvature", paramLabel = "KIND",
            description = "MLP curvature for newton/damped-newton: exact (Hessian) or gauss-newton.")
    String curvature;

    @Option(names = "--intercept", negatable = true, description = "Fit an intercept (linear, logistic).")
    Boolean intercept;

    @Option(names = "--alpha", paramLabel = "A", description = "L2 penalty alpha ||w||^2 (linear, logistic).")
    Double alpha;

    @Option(names = "--dimension", paramLabel = "P", description = "Dimension of a test function (Rosenbrock: even).")
    Integer dimension;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of data, initialisation and mini-batches (default 42).")
    Long seed;

    @Option(names = "--precision", paramLabel = "fp32|fp64", defaultValue = "fp32",
            description = "Floating-point precision on the device (default ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--steps", paramLabel = "N", description = "Total steps (default: the scenario's, else 100).")
    Long steps;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate for optimizers that do not set their own.")
    Double lr;

    /** The experiment: the scenario's defaults (or plain defaults), then every option given. */
    public Experiment experiment() {
        Experiment e = new Experiment();
        if (scenario != null) {
            Scenario.get(scenario).apply(e);
        } else if (csv == null && objective == null) {
            throw new UsageException("nothing to train: give --scenario NAME, --objective KIND or --csv FILE "
                    + "('descent scenarios' lists the scenarios)");
        }
        if (objective != null) e.objective = objective;
        if (generator != null) e.generator = generator;
        if (csv != null) e.csv = csv;
        if (target != null) e.target = target;
        if (standardize) e.standardize = true;
        if (rows != null) e.rows = positive("--rows", rows);
        if (features != null) e.features = positive("--features", features);
        if (layers != null) e.layers = layers.size() == 1 && layers.get(0) == 0 ? List.of() : layers;
        if (activation != null) e.activation = activation;
        if (curvature != null) e.curvature = curvature;
        if (intercept != null) e.intercept = intercept;
        if (alpha != null) e.alpha = alpha;
        if (dimension != null) e.dimension = positive("--dimension", dimension);
        if (seed != null) e.seed = seed;
        if (steps != null) {
            e.steps = steps;
            e.keepSteps = 0; // an explicit --steps applies to every optimizer
        }
        if (lr != null) e.lr = lr;
        if (e.csv != null && !e.objective.equals("mlp")) {
            // a linear or logistic model of CSV data gets an intercept unless told otherwise (scikit-learn's
            // fit_intercept=True; without it the optimum is worse and the coefficients disagree with every package)
            e.intercept = intercept == null || intercept;
        }
        return e;
    }

    public Precision precision() {
        return Precision.parse(precision);
    }

    private static int positive(String name, int v) {
        if (v < 1) throw new UsageException(name + " = " + v + " must be >= 1");
        return v;
    }
}
