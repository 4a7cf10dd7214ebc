package io.descent.cli;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Precision;
import io.descent.optim.Optimizer;
import io.descent.optim.Schedule;
import io.descent.report.Chart;
import io.descent.report.Json;
import io.descent.report.RunReport;
import io.descent.train.Checkpoint;
import io.descent.train.Experiment;
import io.descent.train.History;
import io.descent.train.Run;
import io.descent.train.Setup;
import io.descent.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code descent train}: one objective, one optimizer, one device. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train one model with one optimizer on one device and show where the time went.",
                "Example: descent train --scenario mlp-10k --optimizer adam --steps 500"})
class TrainCommand implements Callable<Integer> {
    @Mixin
    ExperimentOptions experimentOptions;

    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--optimizer", paramLabel = "SPEC",
            description = "Optimizer and options, e.g. adam or keepstepping:max_steps=50,scale_i=2 "
                    + "(default: the scenario's first).")
    String optimizer;

    @Option(names = "--opt", paramLabel = "KEY=VALUE", description = "An optimizer option (repeatable), e.g. --opt beta1=0.8.")
    List<String> opts = new ArrayList<>();

    @Option(names = "--momentum", paramLabel = "M", description = "Same as --opt momentum=M.")
    Double momentum;

    @Option(names = "--batch", paramLabel = "B", description = "Mini-batch size for sgd (same as --opt batch=B).")
    Integer batch;

    @Option(names = "--schedule", paramLabel = "SPEC",
            description = "Learning-rate schedule: constant, step:every=N,factor=F, exponential:gamma=G, "
                    + "cosine:steps=T,min=M, inverse-time:decay=D.")
    String schedule;

    @Mixin
    RunOptions runOptions;

    @Option(names = "--init", paramLabel = "HOW", defaultValue = "default",
            description = "Starting parameters: default (the model's), zeros, normal, or a file from --save-params.")
    String init;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Write a checkpoint at the end, every --checkpoint-every steps and on Ctrl-C.")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0", description = "Checkpoint every N steps.")
    long checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue from a checkpoint; --steps counts the total.")
    Path resume;

    @Option(names = "--overwrite", description = "Replace an existing --checkpoint file that is not being resumed.")
    boolean overwrite;

    @Option(names = "--save-params", paramLabel = "FILE", description = "Write the trained parameters (JSON) for --init.")
    Path saveParams;

    @Option(names = "--save-model", paramLabel = "FILE",
            description = "Write the trained model (JSON: kind, shape, classes, features, scaling, parameters) for "
                    + "'descent predict' and 'descent evaluate'.")
    Path saveModel;

    @picocli.CommandLine.Mixin
    HoldoutOptions holdoutOptions;

    @Option(names = "--validate-every", paramLabel = "N", defaultValue = "1",
            description = "Evaluate the held-out rows after every N-th step (default 1).")
    long validateEvery;

    @Option(names = "--early-stop", paramLabel = "N", defaultValue = "0",
            description = "Stop after N validation records without a lower validation loss, and keep the parameters of "
                    + "the lowest (stop reason early-stop).")
    long earlyStop;

    @Option(names = "--out", paramLabel = "DIR", description = "Write history.csv, run.json and loss charts here.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object instead of the summary and table.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress line on stderr.")
    boolean noProgress;

    @Option(names = "--data-parallel", paramLabel = "DEVICES",
            description = "Split the rows across devices: 'all' or comma-separated selectors (the --device first). "
                    + "Parameters and optimizer state stay on the training device.")
    String dataParallel;

    @Option(names = "--stats", negatable = true,
            description = "Standard errors, z or t statistics, p-values and 95%% intervals from the Hessian at the "
                    + "solution (linear and logistic regression; default on for the Newton methods up to 1,000 "
                    + "parameters).")
    Boolean stats;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TrainOutputs.check(checkpoint, checkpointEvery, resume, saveParams, out, overwrite);
        PrintWriter err = spec.commandLine().getErr();
        try (OutputLock lock = OutputLock.acquire("--out", out, spec.qualifiedName(), err);
             OutputLock ckLock = OutputLock.acquireFile("--checkpoint", checkpoint, spec.qualifiedName(), err)) {
            // again under the locks: a run that started beside this one may have written the checkpoint since
            TrainOutputs.check(checkpoint, checkpointEvery, resume, saveParams, out, overwrite);
            return train();
        }
    }

    private Integer train() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        OutputPaths.file("--save-params", saveParams);
        OutputPaths.file("--save-model", saveModel);
        OutputPaths.file("--checkpoint", checkpoint);
        OutputPaths.directory("--out", out);
        Experiment e = experimentOptions.experiment();
        prepare(e);
        e.holdout = holdoutOptions.holdout();
        if (earlyStop > 0 && !e.holdout.active()) {
            throw new io.descent.UsageException("--early-stop " + earlyStop + " needs held-out rows: add " + HoldoutOptions.GIVE);
        }
        Precision precision = experimentOptions.precision();
        String optSpec = optimizerSpec(optimizer != null ? optimizer : e.optimizers.get(0));
        Schedule sched = schedule == null ? null : Schedule.parse(schedule);
        Optimizer opt = Run.optimizer(optSpec, e, sched); // validates before any device work
        Checkpoint from = resume == null ? null : Checkpoint.read(resume);
        DeviceInfo device = deviceOptions.select();
        if (dataParallel != null) {
            e.dataParallel = new ArrayList<>();
            e.dataParallel.add(device);
            List<DeviceInfo> chosen = dataParallel.trim().equalsIgnoreCase("all")
                    ? io.descent.cl.Devices.all().stream().filter(d -> !d.isSimulator()).toList()
                    : java.util.Arrays.stream(dataParallel.split(",")).map(x -> io.descent.cl.Devices.select(x.trim())).toList();
            for (DeviceInfo d : chosen) {
                if (e.dataParallel.stream().noneMatch(x -> x.index() == d.index())) e.dataParallel.add(d);
            }
        }
        Trainer trainer = new Trainer();
        try (CtrlC ctrlC = new CtrlC(trainer::requestStop, "descent-interrupt"); ClRuntime rt = ClRuntime.open(device);
             Setup setup = e.build(rt, precision); opt) {
            for (String note : setup.notes()) stderr.println("descent: note: " + note);
            if (saveModel != null) io.descent.model.Models.requireSaveable(setup);
            if (setup.validation() != null) trainer.validateOn(setup.validation(), validateEvery, earlyStop);
            double[] start = Run.init(init, setup);
            identity = io.descent.train.RunIdentity.of(e, setup, precision);
            String unchecked = from == null ? null : from.requireIdentity(identity, resume);
            if (unchecked != null) {
                stderr.println("descent: note: " + unchecked);
                stderr.flush();
            }
            Progress progress = new Progress(stderr, opt.name(), from == null ? 0 : from.step(), !noProgress && !json);
            Trainer.Listener listener = progress;
            Trainer.Options options = runOptions.options(e.stepsFor(optSpec), 0);
            Run.Rehearsal rehearsal = runOptions.rehearsal(() -> Run.optimizer(optSpec, e, sched));
            Run.Outcome outcome = checkpoint == null
                    ? Run.execute(setup, opt, start, trainer, options, listener, from, resume, rehearsal)
                    : executeWithCheckpoints(setup, opt, start, trainer, options, listener, from, rehearsal);
            progress.done();
            if (setup.objective() instanceof io.descent.objective.Described d) {
                outcome.report().json.putAll(d.describe());
                for (String note : d.notes()) stderr.println("descent: note: " + note);
            }
            boolean newtonLike = opt.name().startsWith("newton") || opt.name().equals("damped-newton");
            // unasked only where the host's p x p inverse is quick; --stats asks at any width
            boolean small = setup.objective().parameterCount() <= io.descent.train.Statistics.AUTO_MAX_PARAMETERS;
            if (stats != null ? stats : newtonLike && small) {
                io.descent.train.Statistics st = io.descent.train.Statistics.compute(setup, outcome.params());
                if (st != null) {
                    outcome.report().json.putAll(st.json());
                    statistics = st;
                }
            }
            List<String> warnings = new ArrayList<>(opt instanceof io.descent.optim.Warnings w ? w.warnings() : List.of());
            String separated = outcome.diverged() ? null : io.descent.model.Separation.check(setup, outcome.params(), "--alpha");
            if (separated != null) warnings.add(separated);
            if (!warnings.isEmpty()) outcome.report().json.put("warnings", warnings);
            if (!outcome.diverged() && outcome.report().json.get("validation") instanceof Map<?, ?> v) {
                // the kept parameters (the best with --early-stop, else the last) on the held-out rows
                Map<String, Object> metrics = io.descent.model.Models.heldOut(setup, outcome.params(), outcome.report());
                if (metrics != null) ((Map<String, Object>) v).put("metrics", metrics);
            }
            write(outcome, setup, stdout);
            for (String line : warnings) stderr.println("descent: warning: " + line);
            stderr.flush();
            if (outcome.diverged()) {
                stderr.println("descent: " + outcome.divergence().getMessage());
                stderr.flush();
                return outcome.divergence().exitCode();
            }
            return 0;
        }
    }

    /** Lets a variant of this command say where the rows come from (descent spark train). */
    void prepare(Experiment e) {
    }

    /** Runs with a checkpoint written every N steps and at the end (also when interrupted). */
    private Run.Outcome executeWithCheckpoints(Setup setup, Optimizer opt, double[] start, Trainer trainer,
                                               Trainer.Options options, Trainer.Listener progress, Checkpoint from,
                                               Run.Rehearsal rehearsal) {
        // The checkpoint needs the live Problem, which Run.execute owns; capture it from the trainer's
        // listener (called between steps, when the device state is consistent).
        final io.descent.optim.Problem[] live = new io.descent.optim.Problem[1];
        Trainer.Options withEvery = runOptions.options(options.steps(), checkpointEvery);
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void recorded(History.Row row, long total) {
                progress.recorded(row, total);
            }

            @Override
            public void checkpoint(long step) {
                if (live[0] != null) Checkpoint.capture(live[0], opt, extra()).write(checkpoint);
            }
        };
        return Run.executeTracking(setup, opt, start, trainer, withEvery, listener, from, resume,
                p -> live[0] = p, p -> Checkpoint.capture(p, opt, extra()).write(checkpoint), rehearsal);
    }

    private Map<String, Object> extra() {
        return Map.of("command", "train", "identity", identity);
    }

    /** What made this run's outputs (checkpoint, parameters): see RunIdentity. */
    private Map<String, Object> identity = Map.of();

    private String optimizerSpec(String base) {
        List<String> extra = new ArrayList<>(opts);
        if (momentum != null) extra.add("momentum=" + momentum);
        if (batch != null) extra.add("batch=" + batch);
        if (extra.isEmpty()) return base;
        for (String kv : extra) {
            if (!kv.contains("=")) throw new UsageException("--opt " + kv + ": expected KEY=VALUE");
        }
        return base + (base.contains(":") ? "," : ":") + String.join(",", extra);
    }

    private io.descent.train.Statistics statistics;

    private void write(Run.Outcome o, Setup setup, PrintWriter stdout) {
        RunReport r = o.report();
        // the report first: a file below that cannot be written then loses none of it
        print(r, stdout);
        if (saveParams != null) {
            writeFile(saveParams, Json.write(Map.of("identity", identity, "params", o.params())) + "\n");
        }
        if (saveModel != null) {
            io.descent.model.ModelFile.write(io.descent.model.Models.of(setup, o.params(), r), saveModel);
        }
        if (out != null) {
            writeFile(out.resolve("run.json"), Json.write(r.json) + "\n");
            RunReport.writeHistory(r.history(), out.resolve("history.csv"));
            String name = String.valueOf(((Map<?, ?>) r.json.get("optimizer")).get("name"));
            lossCharts(List.of(r), List.of(name), out, setup.objective().name());
        }
    }

    private void print(RunReport r, PrintWriter stdout) {
        if (json) {
            stdout.println(Json.write(r.json));
            stdout.flush();
            return;
        }
        Map<String, Object> m = r.json;
        stdout.println(m.get("objective") + " on " + ((Map<?, ?>) m.get("device")).get("name") + " (" + m.get("precision") + ")");
        if (m.get("alpha") instanceof Double a) {
            stdout.println("L2 penalty: alpha " + a + " (the loss includes it)");
        }
        Map<?, ?> om = (Map<?, ?>) m.get("optimizer");
        stdout.println("optimizer: " + om.get("name") + ((Map<?, ?>) om.get("hyper_parameters")).entrySet().stream()
                .map(x -> x.getKey() + "=" + x.getValue()).collect(Collectors.joining(", ", "(", ")")));
        stdout.printf(Locale.ROOT, "steps: %s (%s), wall %.3f s%n", m.get("steps"), m.get("stop"), (Double) m.get("wall_s"));
        stdout.printf(Locale.ROOT, "final loss: %.9g%n", (Double) m.get("final_loss"));
        if (m.containsKey("target_loss")) {
            stdout.println(m.get("time_to_target_s") == null ? "target " + m.get("target_loss") + ": not reached"
                    : String.format(Locale.ROOT, "target %s: reached at step %s, %.4g s wall, %.4g s device, %s gradients",
                    m.get("target_loss"), m.get("steps_to_target"), (Double) m.get("time_to_target_s"),
                    (Double) m.get("device_to_target_s"), m.get("gradients_to_target")));
        }
        @SuppressWarnings("unchecked")
        Map<String, Double> coef = (Map<String, Double>) m.get("coefficients");
        if (coef != null) {
            stdout.println("coefficients: " + coef.entrySet().stream()
                    .map(c -> c.getKey() + " = " + String.format(Locale.ROOT, "%.6g", c.getValue()))
                    .collect(Collectors.joining(", ")));
        }
        if (m.get("validation") instanceof Map<?, ?> v) {
            if (v.get("best_loss") instanceof Number best) {
                stdout.printf(Locale.ROOT, "validation loss: best %.9g at step %s%s, %s kept%n", best.doubleValue(),
                        v.get("best_step"), v.get("accuracy_at_best") instanceof Number a
                                ? String.format(Locale.ROOT, " (accuracy %.4f)", a.doubleValue()) : "", v.get("kept"));
            }
            if (v.get("metrics") instanceof Map<?, ?> held) {
                stdout.println("held-out rows: " + held.entrySet().stream().filter(x -> x.getValue() instanceof Number)
                        .map(x -> x.getKey() + " " + (x.getValue() instanceof Integer || x.getValue() instanceof Long ? x.getValue()
                                : String.format(Locale.ROOT, "%.6g", ((Number) x.getValue()).doubleValue())))
                        .collect(Collectors.joining(", ")));
            }
        }
        if (statistics != null) {
            stdout.print(statistics.table());
        }
        stdout.println("counts: " + m.get("counts"));
        stdout.println();
        stdout.print(RunReport.phaseTable(r.phases(), ((Number) m.get("steps")).longValue()));
        stdout.printf(Locale.ROOT, "gradient share of device time: %.1f%%%n", 100 * (Double) m.get("gradient_share"));
        stdout.flush();
    }

    /** The chart of held-out accuracy against time, for classifiers with held-out rows. */
    static final String ACCURACY_CHART = "accuracy_vs_time.png";

    /**
     * Loss against wall time and against gradient evaluations, one line per run, and one more per run
     * for its validation loss; with a classifier's held-out accuracies, accuracy against wall time
     * ({@value #ACCURACY_CHART}).
     */
    static void lossCharts(List<RunReport> runs, List<String> labels, Path dir, String what) {
        Chart byTime = new Chart("Loss against wall time: " + what, "wall time (s)", "loss");
        Chart byGrad = new Chart("Loss against gradient evaluations: " + what, "gradient evaluations", "loss");
        Chart accuracy = new Chart("Held-out accuracy against wall time: " + what, "wall time (s)", "accuracy");
        boolean anyAccuracy = false;
        for (int k = 0; k < runs.size(); k++) {
            RunReport r = runs.get(k);
            List<History.Row> rows = r.history().rows();
            double[] t = new double[rows.size()], g = new double[rows.size()], l = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                t[i] = rows.get(i).wallS();
                g[i] = rows.get(i).gradients();
                l[i] = rows.get(i).loss();
            }
            byTime.add(labels.get(k), t, l);
            byGrad.add(labels.get(k), g, l);
            List<History.Validation> val = r.history().validation();
            if (val.isEmpty()) continue;
            java.util.Map<Long, History.Row> byStep = new java.util.HashMap<>();
            for (History.Row row : rows) byStep.put(row.step(), row);
            double[] vt = new double[val.size()], vg = new double[val.size()], vl = new double[val.size()];
            double[] va = new double[val.size()];
            int n = 0;
            for (History.Validation v : val) {
                History.Row row = byStep.get(v.step());
                if (row == null) continue;
                vt[n] = row.wallS();
                vg[n] = row.gradients();
                vl[n] = v.loss();
                va[n++] = v.accuracy();
            }
            vt = java.util.Arrays.copyOf(vt, n);
            vg = java.util.Arrays.copyOf(vg, n);
            byTime.add(labels.get(k) + " (validation)", vt, java.util.Arrays.copyOf(vl, n));
            byGrad.add(labels.get(k) + " (validation)", vg, java.util.Arrays.copyOf(vl, n));
            if (r.history().hasAccuracy()) {
                accuracy.add(labels.get(k), vt, java.util.Arrays.copyOf(va, n));
                anyAccuracy = true;
            }
        }
        if (anyAccuracy) accuracy.write(dir.resolve(ACCURACY_CHART));
        byTime.autoLogY().write(dir.resolve("loss_vs_time.png"));
        byGrad.autoLogY().write(dir.resolve("loss_vs_gradients.png"));
    }

    static void writeFile(Path file, String text) {
        io.descent.report.AtomicFile.write(file, text);
    }
}
