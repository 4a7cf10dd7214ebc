package io.descent.cli;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Devices;
import io.descent.cl.Precision;
import io.descent.optim.Optimizer;
import io.descent.optim.Schedule;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;
import io.descent.report.BarChart;
import io.descent.report.Json;
import io.descent.report.RunReport;
import io.descent.report.Table;
import io.descent.train.Experiment;
import io.descent.train.History;
import io.descent.train.Run;
import io.descent.train.Setup;
import io.descent.train.Targets;
import io.descent.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code descent compare}: optimizers x devices on one problem, from the same starting point. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Compare optimizers on one problem: time to target, final loss, and where the device time goes.",
        description = {"Compare optimizers (and devices) on one problem: final loss, time to a target, gradient and",
                "loss evaluations, and where each step's device time goes. With no options: the default scenario",
                "(" + CompareCommand.DEFAULT_SCENARIO + ") on the default device."})
final class CompareCommand implements Callable<Integer> {
    static final String DEFAULT_SCENARIO = "mlp-10k";

    @Mixin
    ExperimentOptions experimentOptions;

    @Option(names = "--optimizers", paramLabel = "SPECS",
            description = "Optimizers, comma-separated, each with its options: sgd,adam,keepstepping:max_steps=50,scale_i=2 "
                    + "(default: the scenario's).")
    String optimizers;

    @Option(names = "--devices", paramLabel = "SELECTORS", defaultValue = "",
            description = "'all', or comma-separated device selectors (default: the default device).")
    String devices;

    @Option(names = "--schedule", paramLabel = "SPEC", description = "Learning-rate schedule for every optimizer.")
    String schedule;

    @Mixin
    RunOptions runOptions;

    @Option(names = "--init", paramLabel = "HOW", defaultValue = "default",
            description = "Starting parameters for every run: default, zeros, normal, or a --save-params file.")
    String init;

    @Option(names = "--out", paramLabel = "DIR", description = "Write runs.json, summary.csv, history CSVs and PNG charts here.")
    Path out;

    @Option(names = "--json", description = "Print the runs as a JSON list instead of the table.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress line on stderr.")
    boolean noProgress;

    @Option(names = "--stop-at-target", description = "Stop each run at the target instead of running all its steps.")
    boolean stopAtTarget;

    @Option(names = "--tune", paramLabel = "[OPT:]KEY=VALUES",
            description = "Tune each optimizer over KEY = LO..HI:K (log-spaced) or a,b,c (repeatable; OPT: for one "
                    + "optimizer only), keeping per optimizer the configuration that reaches the target first.")
    List<String> tune = new ArrayList<>();

    @picocli.CommandLine.Mixin
    HoldoutOptions holdoutOptions;

    @Option(names = "--target-on", paramLabel = "LOSS", defaultValue = "training",
            description = "The loss the target applies to: training (default) or validation (the held-out rows' loss, "
                    + "as MLCommons AlgoPerf times runs; needs held-out rows: --validation, --validation-csv or --validation-npy). "
                    + "Without --target-loss the target is v* + 1e-4 (v0 - v*), v* the held-out loss of the training optimum "
                    + "where it is known (linear, logistic), else 0. The validation loss is computed on the device after "
                    + "every step, inside the timed run.")
    String targetOn;

    @Option(names = "--repeats", paramLabel = "K", defaultValue = "1",
            description = "Seeds per configuration (data, initialisation, mini-batch order); reports medians and IQRs.")
    int repeats;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (OutputLock lock = OutputLock.acquire("--out", out, spec.qualifiedName(), spec.commandLine().getErr())) {
            return compare();
        }
    }

    private Integer compare() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (experimentOptions.scenario == null && experimentOptions.objective == null && experimentOptions.csv == null) {
            experimentOptions.scenario = DEFAULT_SCENARIO;
        }
        Experiment e = experimentOptions.experiment();
        e.holdout = holdoutOptions.holdout();
        boolean onValidation = HoldoutOptions.targetOnValidation(targetOn);
        if (onValidation && !e.holdout.active()) {
            throw new io.descent.UsageException("--target-on validation needs held-out rows: add " + HoldoutOptions.GIVE);
        }
        Precision precision = experimentOptions.precision();
        List<String> specs = optimizers == null ? e.optimizers : splitSpecs(optimizers);
        Schedule sched = schedule == null ? null : Schedule.parse(schedule);
        for (String s : specs) {
            Run.optimizer(s, e, sched).close(); // every spec is checked before any device work
        }
        List<DeviceInfo> targets = devices();
        if (!tune.isEmpty() || repeats != 1) {
            return tuned(e, precision, specs, sched, targets, onValidation, stdout, stderr);
        }
        List<RunReport> reports = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        double[] start = null;
        Targets.Target target = null;
        for (DeviceInfo device : targets) {
            try (ClRuntime rt = ClRuntime.open(device); Setup setup = e.build(rt, precision)) {
                for (String note : setup.notes()) stderr.println("descent: note: " + note);
                if (start == null) {
                    start = Run.init(init, setup); // the same starting point for every run
                    target = runOptions.targetLoss != null ? null
                            : onValidation ? Targets.onValidation(setup, start) : Targets.of(setup, start);
                }
                double goal = runOptions.targetLoss != null ? runOptions.targetLoss : target.loss();
                for (String s : specs) {
                    try (Optimizer opt = Run.optimizer(s, e, sched)) {
                        Progress progress = new Progress(stderr, s, 0, !noProgress && !json);
                        Trainer trainer = new Trainer();
                        if (setup.validation() != null) trainer.validateOn(setup.validation(), 1, 0).targetOnValidation(onValidation);
                        Run.Outcome o = Run.execute(setup, opt, start, trainer,
                                runOptions.options(e.stepsFor(s), 0, goal, stopAtTarget), progress, null, null,
                                runOptions.rehearsal(() -> Run.optimizer(s, e, sched)));
                        progress.done();
                        o.report().json.put("spec", s);
                        o.report().json.put("target_on", onValidation ? "validation" : "training");
                        o.report().json.put("target", target == null ? "given (--target-loss)" : target.describe());
                        reports.add(o.report());
                        labels.add(targets.size() > 1 ? s + " @" + device.index() : s);
                        if (o.diverged()) {
                            stderr.println("descent: " + s + ": " + o.divergence().getMessage());
                            stderr.flush();
                        }
                        if (opt instanceof io.descent.optim.Warnings w) {
                            for (String line : w.warnings()) stderr.println("descent: " + s + ": warning: " + line);
                            stderr.flush();
                        }
                    }
                }
            }
        }
        sortByTimeToTarget(reports, labels);
        String targetLine = "target: " + (target == null ? runOptions.targetLoss + " (--target-loss"
                + (onValidation ? ", on the validation loss of the held-out rows)" : ")") : target.describe());
        if (out != null) {
            writeOutputs(reports, labels, e);
        }
        if (json) {
            List<Object> list = new ArrayList<>();
            for (RunReport r : reports) list.add(r.json);
            stdout.println(Json.write(list));
        } else {
            stdout.println(describe(e, precision, reports));
            for (DeviceInfo d : targets) {
                stdout.println("device " + d.index() + ": " + d.name() + " (" + d.typeLabel() + ", " + d.platformName() + ")");
            }
            stdout.println(targetLine);
            stdout.print(table(reports, labels));
            stdout.println();
            stdout.println("sorted by time to target (wall s from the run's start to the end, on the device, of the first step at"
                    + " or below it);");
            stdout.println(recordingLine(reports) + "; device ms/step by phase; 'gradient share' = gradient device time"
                    + " / all device time of the run.");
            if (out != null) stdout.println("wrote " + out.toAbsolutePath());
        }
        stdout.flush();
        return 0;
    }

    private static String describe(Experiment e, Precision p, List<RunReport> reports) {
        String objective = reports.isEmpty() ? e.objective : String.valueOf(reports.get(0).json.get("objective"));
        return objective + ", " + p.label() + ", up to " + e.steps + " steps";
    }

    /** Splits "sgd,adam,keepstepping:max_steps=50,scale_i=2": a key=value without ':' continues the spec before it. */
    static List<String> splitSpecs(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split("[,;]")) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            if (t.contains("=") && !t.contains(":")) {
                if (out.isEmpty()) throw new UsageException("--optimizers '" + text + "': '" + t + "' has no optimizer before it");
                out.set(out.size() - 1, out.get(out.size() - 1) + "," + t);
            } else {
                out.add(t);
            }
        }
        if (out.isEmpty()) throw new UsageException("--optimizers is empty: give e.g. sgd,adam");
        return out;
    }

    private List<DeviceInfo> devices() {
        if (devices.isBlank()) return List.of(Devices.select(null));
        if (devices.trim().equalsIgnoreCase("all")) return Devices.all();
        List<DeviceInfo> list = new ArrayList<>();
        for (String s : devices.split(",")) list.add(Devices.select(s.trim()));
        return list;
    }

    static final Phase[] SHOWN = {Phase.GRADIENT, Phase.LOSS, Phase.HESSIAN, Phase.SOLVE, Phase.UPDATE, Phase.RECORD};

    /** --tune / --repeats: trials on the first device, the tuned configuration per optimizer. */
    private int tuned(Experiment e, Precision precision, List<String> specs, Schedule sched, List<DeviceInfo> targets,
                      boolean onValidation, PrintWriter stdout, PrintWriter stderr) {
        if (repeats < 1 || repeats > 1000) throw new UsageException("--repeats = " + repeats + " must be between 1 and 1000");
        if (targets.size() > 1) {
            throw new UsageException("--tune and --repeats run on one device: give one with --devices (race and tune each"
                    + " device in its own run)");
        }
        String workload = experimentOptions.scenario != null ? experimentOptions.scenario : "compare";
        io.descent.race.SearchSpace space = io.descent.race.SearchSpace.parse(tune);
        List<String> notes = new ArrayList<>();
        List<io.descent.race.Trial> trials = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            for (String s : specs) {
                for (Map<String, String> c : space.configurations(s, notes)) {
                    trials.add(new io.descent.race.Trial(workload, s, c, r, e.seed + r));
                }
            }
        }
        for (String n : new java.util.LinkedHashSet<>(notes)) stderr.println("descent: compare: " + n);
        io.descent.race.Runner.Settings settings = new io.descent.race.Runner.Settings(precision, 0, runOptions.timeBudget, 0,
                runOptions.targetLoss == null ? Double.NaN : runOptions.targetLoss, stopAtTarget, sched, 200,
                runOptions.recordEvery, onValidation);
        io.descent.race.Runner runner = new io.descent.race.Runner();
        List<Map<String, Object>> results;
        try (ClRuntime rt = ClRuntime.open(targets.get(0))) {
            results = runner.run(rt, trials, (w, seed) -> {
                Experiment x = experimentOptions.experiment();
                x.holdout = e.holdout;
                x.seed = seed;
                return x;
            }, settings, out == null ? null : new io.descent.race.TrialStore(out),
                    RaceCommand.progress(stderr, !noProgress && !json));
        }
        io.descent.race.Summary summary = new io.descent.race.Summary(trials, results);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("device", targets.get(0).name());
        extra.put("precision", precision.label());
        extra.put("repeats", repeats);
        extra.put("tune", tune);
        if (out != null) {
            io.descent.race.Reports.write(summary, out, extra);
        }
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>(summary.json());
            j.putAll(extra);
            List<Object> list = new ArrayList<>();
            for (Map<String, Object> r : results) if (r != null) list.add(r);
            j.put("trials", list);
            stdout.println(Json.write(j));
        } else {
            stdout.println(describe(e, precision, List.of()) + ", " + trials.size() + " trials (" + specs.size()
                    + " optimizers x configurations x " + repeats + " seed" + (repeats == 1 ? "" : "s") + ")");
            DeviceInfo d = targets.get(0);
            stdout.println("device " + d.index() + ": " + d.name() + " (" + d.typeLabel() + ", " + d.platformName() + ")");
            Object target = results.stream().filter(r -> r != null).map(r -> r.get("target")).findFirst().orElse("-");
            stdout.println("target: " + target + (repeats > 1 ? " (seed " + e.seed + "; each seed has its own)" : ""));
            stdout.print(io.descent.race.Reports.table(summary, workload));
            stdout.println();
            stdout.println("tuned: per optimizer the configuration with the lowest median time to target over the seeds"
                    + " (a seed that misses counts as infinite), else the lowest median final loss; losses recorded every step.");
            if (out != null) stdout.println("wrote " + out.toAbsolutePath());
        }
        stdout.flush();
        return 0;
    }

    /** Time to target, with "not reached" (null) last; ties and misses by final loss. */
    static void sortByTimeToTarget(List<RunReport> reports, List<String> labels) {
        Integer[] order = new Integer[reports.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble((Integer i) -> timeToTarget(reports.get(i)))
                .thenComparingDouble(i -> finalLoss(reports.get(i))));
        List<RunReport> r = new ArrayList<>();
        List<String> l = new ArrayList<>();
        for (int i : order) {
            r.add(reports.get(i));
            l.add(labels.get(i));
        }
        reports.clear();
        reports.addAll(r);
        labels.clear();
        labels.addAll(l);
    }

    static double timeToTarget(RunReport r) {
        Object t = r.json.get("time_to_target_s");
        return t instanceof Number n ? n.doubleValue() : Double.POSITIVE_INFINITY;
    }

    static double finalLoss(RunReport r) {
        double f = ((Number) r.json.get("final_loss")).doubleValue();
        return Double.isNaN(f) ? Double.POSITIVE_INFINITY : f;
    }

    /** How the runs recorded their losses, in words. */
    static String recordingLine(List<RunReport> reports) {
        int batch = 0;
        for (RunReport r : reports) {
            if (r.json.get("recording") instanceof Map<?, ?> m) batch = Math.max(batch, ((Number) m.get("read_batch")).intValue());
        }
        return batch == 0 ? "losses recorded every step" : "losses recorded every step on the device, read back in batches of"
                + " up to " + batch + " steps (time to target is as precise as one step)";
    }

    static String seconds(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.4g", n.doubleValue()) : "not reached";
    }

    private String table(List<RunReport> reports, List<String> labels) {
        List<String> header = new ArrayList<>(List.of("optimizer", "device", "stop", "steps", "final loss", "to target s",
                "device to target s", "gradients to target"));
        header.addAll(List.of("gradients", "losses", "wall s"));
        for (Phase p : SHOWN) header.add(p.label() + " ms");
        header.add("gradient share");
        Table t = new Table(header.toArray(new String[0]));
        for (int i = 0; i < reports.size(); i++) {
            RunReport r = reports.get(i);
            Map<String, Object> j = r.json;
            long steps = ((Number) j.get("steps")).longValue();
            List<Object> row = new ArrayList<>();
            row.add(labels.get(i));
            row.add(((Map<?, ?>) j.get("device")).get("index"));
            row.add(j.containsKey("diverged_at_step") ? "diverged at " + j.get("diverged_at_step") : j.get("stop"));
            row.add(steps);
            row.add(String.format(Locale.ROOT, "%.6g", (Double) j.get("final_loss")));
            row.add(seconds(j.get("time_to_target_s")));
            row.add(seconds(j.get("device_to_target_s")));
            row.add(j.get("gradients_to_target") == null ? "-" : j.get("gradients_to_target"));
            Map<?, ?> counts = (Map<?, ?>) j.get("counts");
            row.add(counts.get("gradient"));
            row.add(counts.get("loss"));
            row.add(String.format(Locale.ROOT, "%.3f", (Double) j.get("wall_s")));
            PhaseTotals ph = r.phases();
            for (Phase p : SHOWN) {
                row.add(steps == 0 ? "-" : String.format(Locale.ROOT, "%.4f", ph.get(p).deviceSeconds() * 1e3 / steps));
            }
            row.add(String.format(Locale.ROOT, "%.1f%%", 100 * ph.deviceShare(Phase.GRADIENT)));
            t.row(row.toArray());
        }
        return t.toString();
    }


    static String csvValue(Object v) {
        return v == null ? "" : v.toString();
    }

    private void writeOutputs(List<RunReport> reports, List<String> labels, Experiment e) {
        List<Object> list = new ArrayList<>();
        StringBuilder csv = new StringBuilder("optimizer,device,stop,steps,final_loss,target_loss,time_to_target_s,"
                + "device_to_target_s,gradients_to_target,gradients,losses,wall_s");
        for (Phase p : SHOWN) csv.append(',').append(p.label()).append("_device_s");
        csv.append(",gradient_share\n");
        BarChart bars = new BarChart("Device time per step by phase", "device time per step (ms)",
                java.util.Arrays.stream(SHOWN).map(Phase::label).toList());
        List<RunReport> shown = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            RunReport r = reports.get(i);
            Map<String, Object> j = new LinkedHashMap<>(r.json);
            j.put("label", labels.get(i));
            list.add(j);
            String file = "history_" + (i + 1) + "_" + labels.get(i).replaceAll("[^A-Za-z0-9._-]+", "_") + ".csv";
            RunReport.writeHistory(r.history(), out.resolve(file));
            long steps = Math.max(1, ((Number) r.json.get("steps")).longValue());
            Map<?, ?> counts = (Map<?, ?>) r.json.get("counts");
            csv.append(labels.get(i).replace(',', ';')).append(',').append(((Map<?, ?>) r.json.get("device")).get("index"))
                    .append(',').append(r.json.get("stop")).append(',').append(r.json.get("steps")).append(',')
                    .append(r.json.get("final_loss")).append(',').append(csvValue(r.json.get("target_loss"))).append(',')
                    .append(csvValue(r.json.get("time_to_target_s"))).append(',')
                    .append(csvValue(r.json.get("device_to_target_s"))).append(',')
                    .append(csvValue(r.json.get("gradients_to_target"))).append(',').append(counts.get("gradient")).append(',')
                    .append(counts.get("loss")).append(',').append(r.json.get("wall_s"));
            double[] perStep = new double[SHOWN.length];
            for (int p = 0; p < SHOWN.length; p++) {
                double s = r.phases().get(SHOWN[p]).deviceSeconds();
                csv.append(',').append(s);
                perStep[p] = 1e3 * s / steps;
            }
            csv.append(',').append(r.phases().deviceShare(Phase.GRADIENT)).append('\n');
            bars.row(labels.get(i), perStep);
            shown.add(r);
        }
        TrainCommand.writeFile(out.resolve("runs.json"), Json.write(list) + "\n");
        TrainCommand.writeFile(out.resolve("summary.csv"), csv.toString());
        String what = reports.isEmpty() ? e.objective : String.valueOf(reports.get(0).json.get("objective"));
        TrainCommand.lossCharts(shown, labels, out, what);
        bars.write(out.resolve("phases.png"));
    }
}
