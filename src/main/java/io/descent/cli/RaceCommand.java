package io.descent.cli;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Precision;
import io.descent.optim.Optimizers;
import io.descent.race.Reports;
import io.descent.race.Runner;
import io.descent.race.SearchSpace;
import io.descent.race.Summary;
import io.descent.race.Trial;
import io.descent.race.TrialStore;
import io.descent.report.Json;
import io.descent.train.Experiment;
import io.descent.train.Holdout;
import io.descent.train.Scenario;
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

/**
 * {@code descent race}: a suite of workloads x optimizers x tuning grid x seeds on one device, with
 * time to target, the tuned configuration per optimizer and workload, a performance profile and
 * its score. Every trial is stored as it finishes; a rerun with the same --out resumes.
 */
@Command(name = "race", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Race tuned optimizers to each workload's target over seeds; a performance profile scores them.",
        description = {"Race optimizers to each workload's target: every scenario (or --scenarios), every optimizer",
                "(or --optimizers), each tuned over --tune and repeated over --repeats seeds. Reports the tuned",
                "time to target per workload, a performance profile and its score. Trials are kept in --out as they",
                "finish, so a rerun resumes."})
final class RaceCommand implements Callable<Integer> {
    @Option(names = "--scenarios", paramLabel = "NAMES", description = "Workloads, comma-separated (default: every scenario).")
    String scenarios;

    @Option(names = "--optimizers", paramLabel = "SPECS",
            description = "Optimizers, comma-separated with their options (default: every registered one but sgd, "
                    + "which needs --batch-style data: add it by name).")
    String optimizers;

    @Option(names = "--tune", paramLabel = "[OPT:]KEY=VALUES",
            description = "Tune KEY over LO..HI:K (log-spaced) or a,b,c; repeatable; OPT: for one optimizer only. "
                    + "E.g. --tune lr=1e-5..1:11.")
    List<String> tune = new ArrayList<>();

    @Option(names = "--repeats", paramLabel = "K", defaultValue = "1",
            description = "Seeds per configuration: each draws the data, the initialisation and the mini-batch order.")
    int repeats;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "The first seed (then S+1, ...).")
    long seed;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "0",
            description = "Steps per trial at most (default: " + STEPS_FACTOR + " x each scenario's own, since a trial "
                    + "stops at its target).")
    long steps;

    /** A race trial stops at its target; it may take this many times the scenario's steps to get there. */
    static final int STEPS_FACTOR = 10;

    @Option(names = "--trial-budget", paramLabel = "SECONDS", defaultValue = "0",
            description = "Wall seconds per trial at most (0: none).")
    double trialBudget;

    @Option(names = "--budget", paramLabel = "SECONDS", defaultValue = "0",
            description = "Wall seconds for the whole suite (0: none); a rerun continues with the trials left.")
    double budget;

    @Option(names = "--target-on", paramLabel = "LOSS", defaultValue = "training",
            description = "The loss each workload's target applies to: training (default) or validation, the loss of "
                    + "rows held out of each workload's data (--validation), as MLCommons AlgoPerf times runs. The target is "
                    + "then v* + 1e-4 (v0 - v*), v* the held-out loss of the training optimum where it is known. Workloads "
                    + "without data rows (the test functions) are left out.")
    String targetOn;

    @Option(names = "--validation", paramLabel = "FRACTION", defaultValue = "0.2",
            description = "With --target-on validation: the seeded share of each workload's rows held out (default 0.2).")
    double validation;

    @Option(names = "--precision", paramLabel = "fp32|fp64", defaultValue = "fp32", description = "Precision (default fp32).")
    String precision;

    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Results: trials/, summary.json, tuning.csv, performance_profile.png and per-workload charts.")
    Path out;

    @Option(names = "--json", description = "Print the summary as JSON instead of tables.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress lines on stderr.")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (OutputLock lock = OutputLock.acquire("--out", out, spec.qualifiedName(), spec.commandLine().getErr())) {
            return race();
        }
    }

    private Integer race() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (repeats < 1 || repeats > 1000) throw new UsageException("--repeats = " + repeats + " must be between 1 and 1000");
        if (steps < 0) throw new UsageException("--steps = " + steps + " must be >= 0");
        if (!(trialBudget >= 0) || !(budget >= 0)) throw new UsageException("--budget and --trial-budget must be >= 0 seconds");
        Precision p = Precision.parse(precision);
        boolean onValidation = HoldoutOptions.targetOnValidation(targetOn);
        Holdout holdout = onValidation ? new Holdout(validation, null) : new Holdout(0, null);
        if (onValidation && !(validation > 0)) {
            throw new UsageException("--validation " + validation + ": --target-on validation needs a share of rows to hold "
                    + "out, between 0 and 1 (e.g. 0.2)");
        }
        List<String> workloads = new ArrayList<>();
        if (scenarios == null || scenarios.isBlank()) {
            List<String> without = new ArrayList<>();
            for (Scenario s : Scenario.all()) {
                if (!onValidation || hasRows(s.name())) workloads.add(s.name());
                else without.add(s.name());
            }
            if (!without.isEmpty()) {
                stderr.println("descent: race: note: --target-on validation leaves out the workloads without data rows: "
                        + String.join(", ", without));
            }
        } else {
            for (String s : scenarios.split(",")) {
                if (s.isBlank()) continue;
                String name = Scenario.get(s.trim()).name();
                if (onValidation && !hasRows(name)) {
                    throw new UsageException("--target-on validation: workload " + name + " is a test function, with no data "
                            + "rows to hold out; leave it out of --scenarios");
                }
                workloads.add(name);
            }
        }
        List<String> opts = new ArrayList<>();
        if (optimizers == null || optimizers.isBlank()) {
            for (String n : Optimizers.names()) if (!n.equals("sgd")) opts.add(n);
        } else {
            opts.addAll(CompareCommand.splitSpecs(optimizers));
        }
        SearchSpace space = SearchSpace.parse(tune);
        List<String> notes = new ArrayList<>();
        List<Trial> trials = trials(workloads, opts, space, repeats, seed, notes);
        for (String n : new java.util.LinkedHashSet<>(notes)) stderr.println("descent: race: " + n);
        DeviceInfo device = deviceOptions.select();
        Runner runner = new Runner();
        TrialStore store = new TrialStore(out);
        List<Map<String, Object>> results;
        try (CtrlC ctrlC = new CtrlC(runner::requestStop, "descent-race-interrupt"); ClRuntime rt = ClRuntime.open(device)) {
            Runner.Settings settings = new Runner.Settings(p, steps, trialBudget, budget, Double.NaN, true, null, 200, 0,
                    onValidation);
            results = runner.run(rt, trials, (w, s) -> {
                Experiment x = experiment(w, s);
                x.holdout = holdout;
                return x;
            }, settings, store,
                    progress(stderr, !noProgress && !json));
            if (!store.replaced().isEmpty()) {
                stderr.println("descent: race: note: ran again " + store.replaced().size() + " stored trial(s) made otherwise, "
                        + "e.g. " + store.replaced().get(0));
            }
            Summary summary = new Summary(trials, results);
            long done = results.stream().filter(r -> r != null).count();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("device", device.name());
            extra.put("precision", p.label());
            extra.put("repeats", repeats);
            extra.put("tune", tune);
            extra.put("trials", trials.size());
            extra.put("trials_done", done);
            extra.put("target_on", onValidation ? "validation" : "training");
            if (onValidation) extra.put("validation", validation);
            extra.put("target_rule", rule(onValidation));
            Reports.write(summary, out, extra);
            if (json) {
                Map<String, Object> j = summary.json();
                j.putAll(extra);
                stdout.println(Json.write(j));
            } else {
                print(stdout, summary, device, p, done, trials.size(), onValidation);
            }
            stdout.flush();
            if (done < trials.size()) {
                stderr.println("descent: race: " + done + " of " + trials.size() + " trials done (budget or interrupt);"
                        + " rerun the same command to continue");
                stderr.flush();
            }
        }
        return 0;
    }

    static Experiment experiment(String workload, long seed) {
        Experiment e = new Experiment();
        Scenario.get(workload).apply(e);
        e.seed = seed;
        e.steps *= STEPS_FACTOR;
        e.keepSteps *= STEPS_FACTOR;
        return e;
    }

    /** Workloads x seeds x optimizers x configurations: a seed's data are uploaded once for all its trials. */
    static List<Trial> trials(List<String> workloads, List<String> opts, SearchSpace space, int repeats, long seed,
                              List<String> notes) {
        List<Trial> out = new ArrayList<>();
        for (String w : workloads) {
            for (int r = 0; r < repeats; r++) {
                for (String o : opts) {
                    for (Map<String, String> c : space.configurations(o, notes)) {
                        out.add(new Trial(w, o, c, r, seed + r));
                    }
                }
            }
        }
        return out;
    }

    static Runner.Progress progress(PrintWriter err, boolean enabled) {
        boolean terminal = System.console() != null;
        return (done, total, elapsed, eta, trial, result, stored) -> {
            if (!enabled) return;
            String t = result == null ? "" : Reports.describeTrial(result);
            String line = String.format(Locale.ROOT, "race: %d/%d %s%s seed %d: %s  [%s elapsed%s]", done, total,
                    trial.workload() + " ", trial.configLabel(), trial.repeat(), stored ? "stored" : t,
                    clock(elapsed), Double.isNaN(eta) ? "" : ", about " + clock(eta) + " left");
            err.print(terminal ? "\r\033[K" + line : line + "\n");
            if (terminal && done == total) err.print("\n");
            err.flush();
        };
    }

    static String clock(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }

    /** Whether a workload has data rows (it is not a test function). */
    static boolean hasRows(String workload) {
        Experiment e = new Experiment();
        Scenario.get(workload).apply(e);
        return !e.objective.toLowerCase(Locale.ROOT).startsWith("function:");
    }

    static String rule(boolean onValidation) {
        double f = io.descent.train.Targets.FRACTION;
        return onValidation ? "v* + " + f + " (v0 - v*) on the held-out rows' loss per workload and seed, v* the held-out "
                + "loss of the training optimum" : "f* + " + f + " (f0 - f*) per workload and seed";
    }

    private static void print(PrintWriter out, Summary s, DeviceInfo device, Precision p, long done, int total,
                              boolean onValidation) {
        out.printf(Locale.ROOT, "race on %s (%s): %d workload(s), %d optimizer(s), %d of %d trials%n", device.name(),
                p.label(), s.workloads().size(), s.optimizers().size(), done, total);
        out.println("target: " + rule(onValidation) + " ('descent scenarios' says how f* is known); a trial stops there");
        for (String w : s.workloads()) {
            out.println();
            out.println(w + ":");
            out.print(Reports.table(s, w));
        }
        out.println();
        out.println("time to target (s) of each optimizer's tuned configuration:");
        out.print(Reports.grid(s));
        out.println();
        out.println("performance profile (share of workloads within tau x the fastest, tau in [1, 4]; score = area / 3):");
        out.print(Reports.profileTable(s));
    }
}
