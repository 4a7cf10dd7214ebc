package io.descent.train;

import io.descent.UsageException;
import io.descent.cl.ClException;
import io.descent.cl.ClRuntime;
import io.descent.cl.Format;
import io.descent.data.NpySource;
import io.descent.data.RowSource;
import io.descent.objective.ChunkedObjective;
import org.jocl.CL;
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
    /** Held-out rows for validation (none by default). */
    public Holdout holdout = new Holdout(0, null);
    public int rows = 1000;
    public int features = 10;
    public long seed = 42;
    public List<Integer> layers = new ArrayList<>();
    public String activation = "identity";
    /** MLP curvature for second-order methods: exact (R-operator Hessian) or gauss-newton. */
    public String curvature = "exact";
    /** Loss of an mlp: mse, bce or softmax (K classes from the labels 0..K-1). */
    public String loss = "mse";
    public boolean intercept;
    /**
     * The L2 penalty: alpha ||w||^2 of a linear or logistic model (not the intercept), alpha ||W||^2 of
     * a softmax regression's or a network's weights (not the biases); 0 for none.
     */
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
    /**
     * Device memory descent may use for data, in bytes (0: all of it). Data that do not fit in
     * half of it stream through the device in chunks.
     */
    public long deviceMemory;
    /**
     * Devices to split the rows across (data parallel), the training device first; empty for one
     * device. Each gets rows in proportion to its measured gradient speed.
     */
    public List<io.descent.cl.DeviceInfo> dataParallel = new ArrayList<>();
    /** A 2-D .npy of features (memory-mapped, streamed) and the .npy of targets; null for other data. */
    public Path npy;
    public Path npyTarget;

    /**
     * Builds the objective from rows that live elsewhere (a Spark data set's partitions); null for
     * the data this experiment describes itself.
     */
    public External external;

    /** Rows that the experiment does not hold: {@link #build} hands over to it. */
    public interface External {
        /** The objective on {@code rt} (the training device) over the external rows, with notes for the user. */
        Setup build(Experiment e, ClRuntime rt, Precision precision);
    }

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
            if (standardize && !holdout.active()) o = o.withStandardize(true); // else on the training rows alone
            if (objective.equals("logistic")) o = o.withLogisticLabels(true);
            if (classifier()) o = o.withClassLabels(true);
            Dataset d = CsvReader.read(csv, o);
            io.descent.data.Labels.requireTwoUnlessSoftmax(d, softmax(), csv + ": ",
                    objective.equals("logistic") ? "--objective softmax" : "--loss softmax");
            return d;
        }
        if (!generator.equals("seed001-line")) {
            // the values, the device copy's conversion and the generator's own work: about twice the values
            long values = (long) rows * (features + 1);
            Heap.require("--rows " + rows + " x " + (features + 1) + " columns of generated data", (long) rows * features,
                    16 * values, "lower --rows or --features, or write the data once with convert and train with --npy, "
                            + "which streams it");
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
            if (dimension > 0) {
                // the parameters, the optimizer's state and the host copies of both: several vectors of P
                Heap.require("--dimension " + dimension, dimension, 8L * 8 * dimension, "lower --dimension");
            }
            TestFunction f = dimension > 0 ? new TestFunction(rt, precision, name, dimension)
                    : new TestFunction(rt, precision, name, TestFunction.defaultDimension(name));
            return new Setup(this, f, null, new ArrayList<>());
        }
        if (external != null) {
            return external.build(this, rt, precision);
        }
        List<String> notes = new ArrayList<>();
        if (dataParallel.size() > 1) {
            return split(rt, precision, notes);
        }
        Dataset data = npy == null ? dataset() : null;
        RowSource source = data != null ? RowSource.of(data)
                : NpySource.open(npy, npyTarget, standardize, objective.equalsIgnoreCase("logistic"));
        if (data != null && objective.equalsIgnoreCase("logistic")) {
            LogisticRegression.checkLabels(data); // a chunk's objective sees no host data to check
        }
        Dataset held = null;
        if (holdout.npy() != null) {
            if (npy == null) {
                throw new UsageException("--validation-npy goes with training rows from --npy; for CSV data give "
                        + "--validation-csv, for generated data --validation FRACTION");
            }
            held = holdout.fromNpy(source.info(), source.cols(), objective.equalsIgnoreCase("logistic"));
        } else if (holdout.active()) {
            if (data == null) {
                throw new UsageException("--validation and --validation-csv need the training rows in memory (--csv or "
                        + "generated data); with --npy, give the held-out rows as --validation-npy X.npy "
                        + "--validation-npy-target y.npy");
            }
            CsvReader.Options o = target != null ? CsvReader.Options.DEFAULTS.withTarget(target) : CsvReader.Options.DEFAULTS;
            o = o.withClassLabels(classifier());
            Dataset[] parts = holdout.apply(data, seed, standardize && csv != null, o);
            data = parts[0];
            held = parts[1];
            source = RowSource.of(data);
        }
        if (data != null) notes.addAll(data.notes());
        requireRange(precision, source, data);
        countClasses(source, data);
        Objective obj = onDevice(rt, precision, source, data, notes);
        Setup setup = new Setup(this, obj, obj instanceof io.descent.objective.DataObjective o ? o.data() : null, notes);
        if (held != null) setup.validateOn(this, held);
        return setup;
    }

    /**
     * The model over {@code source} on {@code rt}: held whole when it fits half the device memory
     * for data ({@code --device-memory}, else the device's), else streamed in chunks, with a note.
     * {@code data}, when the rows are in the heap, is uploaded directly; an allocation failure falls
     * back to streaming, with a note.
     */
    public Objective onDevice(ClRuntime rt, Precision precision, RowSource source, Dataset data, List<String> notes) {
        long budget = deviceMemory > 0 ? deviceMemory : rt.device().globalMemory();
        long rowBytes = (long) (source.cols() + 1) * precision.bytes();
        long xBytes = (long) source.rows() * source.cols() * precision.bytes();
        boolean fits = (long) source.rows() * rowBytes <= budget / 2 && xBytes <= rt.device().maxAllocation();
        if (data != null && fits) {
            DeviceDataset d = null;
            try {
                d = new DeviceDataset(rt, data, precision);
                return model(d);
            } catch (ClException e) {
                if (d != null) d.close();
                if (e.code() != CL.CL_MEM_OBJECT_ALLOCATION_FAILURE && e.code() != CL.CL_OUT_OF_RESOURCES) throw e;
                notes.add("the data (" + Format.bytes(source.rows() * rowBytes) + ") did not fit on '" + rt.device().name()
                        + "' (" + e.getMessage().replaceAll("\\s+", " ") + "): streaming it in chunks instead");
                fits = false;
            } catch (RuntimeException e) {
                if (d != null) d.close();
                throw e;
            }
        }
        long cap = Math.min(rt.device().maxAllocation(), 1L << 30);
        long chunk = fits ? source.rows() : Math.max(1, Math.min(budget / 4 / ChunkedObjective.slotBytesPerRow(source, precision),
                cap / Math.max(1, (long) source.cols() * precision.bytes())));
        int rows = (int) Math.min(source.rows(), chunk);
        if (rows < source.rows()) {
            notes.add(String.format(java.util.Locale.ROOT, "streaming %d rows (%s) through '%s' in chunks of %d rows (device "
                            + "memory for data: %s)", source.rows(), Format.bytes(source.rows() * rowBytes), rt.device().name(),
                    rows, Format.bytes(budget)));
        }
        return new ChunkedObjective(rt, precision, source, rows, this::model);
    }

    /** The rows split across {@link #dataParallel}'s devices, in proportion to their speed. */
    private Setup split(ClRuntime rt, Precision precision, List<String> notes) {
        Dataset data = npy == null ? dataset() : null;
        if (data != null && objective.equalsIgnoreCase("logistic")) LogisticRegression.checkLabels(data);
        RowSource source = data != null ? RowSource.of(data)
                : NpySource.open(npy, npyTarget, standardize, objective.equalsIgnoreCase("logistic"));
        requireRange(precision, source, data);
        countClasses(source, data);
        List<ClRuntime> runtimes = new ArrayList<>();
        List<ClRuntime> owned = new ArrayList<>();
        runtimes.add(rt);
        try {
            for (io.descent.cl.DeviceInfo d : dataParallel) {
                if (d.index() == rt.device().index()) continue;
                ClRuntime other = ClRuntime.open(d);
                owned.add(other);
                runtimes.add(other);
            }
            double[] speeds = new double[runtimes.size()];
            Dataset sample = RowSource.head(source, 20_000);
            for (int b = 0; b < runtimes.size(); b++) speeds[b] = speed(runtimes.get(b), sample, precision);
            List<String> blockNotes = new ArrayList<>();
            io.descent.objective.SplitObjective obj = new io.descent.objective.SplitObjective(runtimes, precision, source, speeds,
                    (r, rows) -> onDevice(r, precision, rows, null, blockNotes));
            StringBuilder share = new StringBuilder();
            for (int b = 0; b < runtimes.size(); b++) {
                share.append(b == 0 ? "" : ", ").append(runtimes.get(b).device().summary()).append(": ")
                        .append(obj.shares()[b]).append(" rows (").append(String.format(Locale.ROOT, "%.3g", speeds[b]))
                        .append(" rows/s)");
            }
            notes.add("data parallel over " + runtimes.size() + " devices by measured gradient speed: " + share);
            notes.addAll(blockNotes);
            Setup s = new Setup(this, obj, null, notes);
            s.own(owned);
            return s;
        } catch (RuntimeException e) {
            for (ClRuntime o : owned) o.close();
            throw e;
        }
    }

    /** float32 holds every value, or a user error naming the column (not a divergence later). */
    private static void requireRange(Precision precision, RowSource source, Dataset data) {
        if (precision != Precision.FP32) return;
        if (data != null) io.descent.data.Float32Range.check(data);
        else if (source instanceof NpySource n) n.requireFloat32();
    }

    /** Rows per second of a gradient of this experiment's model on {@code rt} (device time, after one warm-up). */
    private double speed(ClRuntime rt, Dataset sample, Precision precision) {
        try (DeviceDataset d = new DeviceDataset(rt, sample, precision); Objective f = model(d);
             io.descent.cl.DeviceArray w = rt.upload(precision, new double[f.parameterCount()]);
             io.descent.cl.DeviceArray g = rt.allocate(precision, f.parameterCount())) {
            f.lossAndGradient(w, g);
            rt.finish();
            long before = rt.timer().totals().deviceNanos();
            for (int i = 0; i < 3; i++) f.lossAndGradient(w, g);
            rt.finish();
            double s = (rt.timer().totals().deviceNanos() - before) * 1e-9 / 3;
            return sample.rows() / Math.max(s, 1e-9);
        }
    }

    /**
     * Classes of a softmax objective, counted once over all the rows before any chunk or partition
     * is built (a chunk need not hold the largest label); 0: each model counts its own rows'.
     */
    public int classes;

    /** A model of class labels: logistic or softmax regression, or a network with the bce or softmax loss. */
    public boolean classifier() {
        if (objective.equalsIgnoreCase("logistic") || softmax()) return true;
        return objective.equalsIgnoreCase("mlp") && loss != null
                && io.descent.objective.NetworkSpec.Loss.parse(loss) == io.descent.objective.NetworkSpec.Loss.BCE;
    }

    private boolean softmax() {
        return objective.equalsIgnoreCase("softmax") || (objective.equalsIgnoreCase("mlp") && loss != null
                && io.descent.objective.NetworkSpec.Loss.parse(loss) == io.descent.objective.NetworkSpec.Loss.SOFTMAX);
    }

    /** Counts {@link #classes} over {@code source}'s targets when the objective is softmax. */
    private void countClasses(RowSource source, Dataset data) {
        if (!softmax() || classes > 0) return;
        if (data != null && data.labels() != null) { // text labels: every label is a class, held out or not
            classes = data.labels().size();
            return;
        }
        double[] y = data != null ? data.y() : source instanceof NpySource n ? n.targets() : null;
        if (y != null) classes = io.descent.objective.Network.classes(y, source.info().name());
    }

    /** The objective of this experiment on rows {@code d} (a whole data set, a chunk of a streamed one, a partition). */
    public Objective model(DeviceDataset d) {
        switch (objective.toLowerCase(Locale.ROOT)) {
            case "linear":
                return new LinearRegression(d, intercept, alpha);
            case "logistic":
                return new LogisticRegression(d, intercept, alpha);
            case "mlp": {
                io.descent.objective.NetworkSpec.Loss l = io.descent.objective.NetworkSpec.Loss.parse(loss);
                if (l == io.descent.objective.NetworkSpec.Loss.SOFTMAX) {
                    return io.descent.objective.Network.softmaxNetwork(d, layers, activation(), curvature(), classes, alpha);
                }
                MlpSpec spec = new MlpSpec(d.cols(), layers, activation(),
                        l == io.descent.objective.NetworkSpec.Loss.BCE ? MlpSpec.Loss.BCE : MlpSpec.Loss.MSE);
                // wider than the fused kernel's private arrays safely hold: layers as matrix products
                return io.descent.objective.Network.fused(spec, d.runtime()) ? new Mlp(d, spec, curvature(), alpha)
                        : new io.descent.objective.Network(d, io.descent.objective.NetworkSpec.of(spec), curvature(), null,
                        io.descent.objective.Network.DEFAULT_BLOCK_BYTES, alpha);
            }
            case "softmax":
                return io.descent.objective.Network.softmaxNetwork(d, List.of(), MlpSpec.Activation.IDENTITY, curvature(),
                        classes, alpha);
            default:
                throw new UsageException("unknown objective '" + objective
                        + "': use linear, logistic, mlp, softmax or function:NAME (" + String.join(", ", TestFunction.names()) + ")");
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
