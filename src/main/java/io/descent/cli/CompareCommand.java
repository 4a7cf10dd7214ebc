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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (experimentOptions.scenario == null && experimentOptions.objective == null && experimentOptions.csv == null) {
            experimentOptions.scenario = DEFAULT_SCENARIO;
        }
        Experiment e = experimentOptions.experiment();
        Precision precision = experimentOptions.precision();
        List<String> specs = optimizers == null ? e.optimizers : splitSpecs(optimizers);
        Schedule sched = schedule == null ? null : Schedule.parse(schedule);
        for (String s : specs) {
            Run.optimizer(s, e, sched).close(); // every spec is checked before any device work
        }
        List<DeviceInfo> targets = devices();
        List<RunReport> reports = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        double[] start = null;
        for (DeviceInfo device : targets) {
            try (ClRuntime rt = ClRuntime.open(device); Setup setup = e.build(rt, precision)) {
                if (start == null) {
                    start = Run.init(init, setup); // the same starting point for every run
                }
                for (String s : specs) {
                    try (Optimizer opt = Run.optimizer(s, e, sched)) {
                        Progress progress = new Progress(stderr, s, 0, !noProgress && !json);
                        Run.Outcome o = Run.execute(setup, opt, start, new Trainer(), runOptions.options(e.stepsFor(s), 0),
                                progress, null, null);
                        progress.done();
                        o.report().json.put("spec", s);
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
            stdout.print(table(reports, labels));
            stdout.println();
            stdout.println("device ms/step by phase; 'gradient share' = gradient device time / all device time of the run.");
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

    static final Phase[] SHOWN = {Phase.GRADIENT, Phase.LOSS, Phase.HESSIAN, Phase.SOLVE, Phase.UPDATE};

    private String table(List<RunReport> reports, List<String> labels) {
        List<String> header = new ArrayList<>(List.of("optimizer", "device", "stop", "steps", "final loss"));
        boolean target = runOptions.targetLoss != null;
        if (target) header.add("time to target s");
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
            if (target) row.add(timeToTarget(r.history(), runOptions.targetLoss));
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

    static String timeToTarget(History h, double target) {
        for (History.Row r : h.rows()) {
            if (r.loss() <= target) return String.format(Locale.ROOT, "%.3f", r.wallS());
        }
        return "not reached";
    }

    private void writeOutputs(List<RunReport> reports, List<String> labels, Experiment e) {
        List<Object> list = new ArrayList<>();
        StringBuilder csv = new StringBuilder("optimizer,device,stop,steps,final_loss,gradients,losses,wall_s");
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
                    .append(r.json.get("final_loss")).append(',').append(counts.get("gradient")).append(',')
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
