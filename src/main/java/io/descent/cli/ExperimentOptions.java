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

    @Option(names = "--objective", paramLabel = "KIND", description = "linear, logistic, mlp, softmax or function:NAME.")
    String objective;

    @Option(names = "--data", paramLabel = "GENERATOR",
            description = "Generated data: seed000-regression, seed001-line, seed000-mlp, two-class.")
    String generator;

    @Option(names = "--csv", paramLabel = "FILE", description = "Read the data from a CSV file with a header row.")
    Path csv;

    @Option(names = "--npy", paramLabel = "X.npy",
            description = "Features from a 2-D .npy file (float32/float64, C or Fortran order), memory-mapped and "
                    + "streamed: never copied whole into the heap.")
    Path npy;

    @Option(names = "--npy-target", paramLabel = "Y.npy", description = "Targets of --npy, a 1-D .npy file.")
    Path npyTarget;

    @Option(names = "--device-memory", paramLabel = "BYTES",
            description = "Device memory for data, e.g. 64M or 2G (default: the device's). Data larger than half of it "
                    + "stream through the device in chunks.")
    String deviceMemory;

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

    @Option(names = "--loss", paramLabel = "NAME",
            description = "Loss of an mlp: mse, bce or softmax (cross-entropy over K classes, labels 0..K-1).")
    String loss;

    @Option(names = "--curvature", paramLabel = "KIND",
            description = "MLP curvature for newton/damped-newton: exact (Hessian) or gauss-newton.")
    String curvature;

    @Option(names = "--intercept", negatable = true, description = "Fit an intercept (linear, logistic).")
    Boolean intercept;

    @Option(names = "--alpha", paramLabel = "A", description = "L2 penalty (default 0: none): alpha ||w||^2 of a linear "
            + "or logistic model's coefficients (not the intercept); alpha ||W||^2 of a softmax regression's or an mlp's "
            + "weights (not the biases). Refused for test functions.")
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
        } else if (csv == null && objective == null && npy == null) {
            throw new UsageException("nothing to train: give --scenario NAME, --objective KIND, --csv FILE or --npy FILE "
                    + "('descent scenarios' lists the scenarios)");
        }
        if (npy != null) {
            if (csv != null) throw new UsageException("give --csv or --npy, not both");
            e.npy = npy;
            e.npyTarget = npyTarget;
            if (objective == null && scenario == null) e.objective = "linear";
        } else if (npyTarget != null) {
            throw new UsageException("--npy-target needs --npy X.npy with the features");
        }
        if (deviceMemory != null) e.deviceMemory = bytes("--device-memory", deviceMemory);
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
        if (loss != null) e.loss = io.descent.objective.NetworkSpec.Loss.parse(loss).label();
        if (intercept != null) e.intercept = intercept;
        if (alpha != null) {
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new io.descent.UsageException("--alpha " + alpha + ": the L2 penalty must be a finite number >= 0 "
                        + "(0 for none, e.g. 1e-3 for a small one)");
            }
            e.alpha = alpha;
        }
        if (alpha != null && alpha != 0 && e.objective.toLowerCase(java.util.Locale.ROOT).startsWith("function:")) {
            throw new io.descent.UsageException("--alpha " + alpha + ": the L2 penalty applies to linear, logistic and "
                    + "softmax regression and to networks; the test function '" + e.objective + "' has none, and would "
                    + "run unpenalised: drop --alpha");
        }
        if (dimension != null) e.dimension = positive("--dimension", dimension);
        if (seed != null) e.seed = seed;
        if (steps != null) {
            e.steps = steps;
            e.keepSteps = 0; // an explicit --steps applies to every optimizer
        }
        if (lr != null) e.lr = lr;
        if ((e.csv != null || e.npy != null) && !e.objective.equals("mlp")) {
            // a linear or logistic model of CSV data gets an intercept unless told otherwise (scikit-learn's
            // fit_intercept=True; without it the optimum is worse and the coefficients disagree with every package)
            e.intercept = intercept == null || intercept;
        }
        return e;
    }

    public Precision precision() {
        return Precision.parse(precision);
    }

    /** "64M", "2G", "1048576": bytes, at least 1 KiB. */
    static long bytes(String name, String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        long mult = 1;
        if (t.endsWith("B")) t = t.substring(0, t.length() - 1);
        if (t.endsWith("K")) mult = 1L << 10;
        else if (t.endsWith("M")) mult = 1L << 20;
        else if (t.endsWith("G")) mult = 1L << 30;
        else if (t.endsWith("T")) mult = 1L << 40;
        if (mult > 1) t = t.substring(0, t.length() - 1);
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException ex) {
            throw new UsageException(name + " = '" + text + "' is not a size: give bytes, or K, M, G, e.g. 64M");
        }
        if (!(v * mult >= 1024) || v * mult > 1e18) {
            throw new UsageException(name + " = '" + text + "' must be at least 1K (and a real size)");
        }
        return (long) (v * mult);
    }

    private static int positive(String name, int v) {
        if (v < 1) throw new UsageException(name + " = " + v + " must be >= 1");
        return v;
    }
}
