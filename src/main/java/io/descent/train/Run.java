package io.descent.train;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.objective.Objective;
import io.descent.optim.Optimizer;
import io.descent.optim.Optimizers;
import io.descent.optim.Problem;
import io.descent.optim.Schedule;
import io.descent.profile.PhaseTotals;
import io.descent.report.Json;
import io.descent.report.RunReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** One optimizer on one built experiment: the run, its report, and what happened. */
public final class Run {
    /** A finished (or diverged, or interrupted) run. */
    public record Outcome(RunReport report, DivergenceException divergence, double[] params) {
        public boolean diverged() {
            return divergence != null;
        }
    }

    private Run() {
    }

    /** The optimizer for a spec such as "adam:beta1=0.8", with the experiment's --lr unless the spec sets lr. */
    public static Optimizer optimizer(String spec, Experiment e, Schedule schedule) {
        String s = spec;
        if (!Double.isNaN(e.lr) && !spec.matches(".*[:,]\\s*lr\\s*=.*")) {
            s = spec + (spec.contains(":") ? "," : ":") + "lr=" + e.lr;
        }
        Optimizer o = Optimizers.parse(s);
        if (schedule != null) {
            o.withSchedule(schedule);
        }
        return o;
    }

    /** Starting parameters: "default" (the model's), "zeros", "normal" (N(0,1), seeded) or a file from --save-params. */
    public static double[] init(String how, Setup setup) {
        int p = setup.objective().parameterCount();
        switch (how == null ? "default" : how) {
            case "default":
                return setup.defaultInit();
            case "zeros":
                return new double[p];
            case "normal": {
                Random r = new Random(setup.experiment().seed);
                double[] w = new double[p];
                for (int i = 0; i < p; i++) w[i] = r.nextGaussian();
                return w;
            }
            default:
                return readParams(Path.of(how), p);
        }
    }

    /** Parameters saved by --save-params: a JSON array, or an object with "params". */
    @SuppressWarnings("unchecked")
    public static double[] readParams(Path file, int expected) {
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UsageException("cannot read --init file " + file + ": " + e.getMessage()
                    + " (use default, zeros, normal or a file written by --save-params)");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--init file " + file + " is not JSON: " + e.getMessage());
        }
        Object list = parsed instanceof Map ? ((Map<String, Object>) parsed).get("params") : parsed;
        if (!(list instanceof List<?> l)) {
            throw new UsageException("--init file " + file + " holds no parameter array");
        }
        if (l.size() != expected) {
            throw new UsageException("--init file " + file + " has " + l.size() + " parameters, the model has " + expected);
        }
        double[] w = new double[expected];
        for (int i = 0; i < expected; i++) {
            if (!(l.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new UsageException("--init file " + file + ": parameter " + i + " is not a finite number");
            }
            w[i] = n.doubleValue();
        }
        return w;
    }

    /**
     * Runs {@code optimizer} from {@code init} (or from a checkpoint) and reports it. A divergence
     * is caught and reported (the last finite parameters, the history so far); the caller decides
     * the exit code.
     */
    public static Outcome execute(Setup setup, Optimizer optimizer, double[] init, Trainer trainer,
                                  Trainer.Options options, Trainer.Listener listener, Checkpoint resume, Path resumeFile) {
        return executeTracking(setup, optimizer, init, trainer, options, listener, resume, resumeFile, p -> { }, p -> { });
    }

    /**
     * A rehearsal before a timed run: a fresh optimizer of the same spec runs {@code steps} steps from
     * the same start on a scratch copy of the parameters, under the same recording and stopping
     * rules, and is thrown away. Every kernel the run will launch is then launched once at its real
     * launch shape (the work-group size it will use) before the clock starts, so a driver that compiles
     * at the first launch of a shape (PoCL does) compiles here, and the time is charged to {@code
     * build}. The timed run's report says which shapes it still met for the first time
     * ({@code late_launch_shapes}): those are the ones a rarer path (a fallback, a last partial batch)
     * launched.
     */
    public record Rehearsal(java.util.function.Supplier<Optimizer> optimizer, long steps) {
        /** Steps of a rehearsal by default: L-BFGS's second step is its first two-loop step. */
        public static final long DEFAULT_STEPS = 2;

        public Rehearsal {
            if (steps < 0) throw new UsageException("--rehearse = " + steps + " must be >= 0 steps (0: none)");
        }
    }

    /** As {@link #execute}, after a {@link Rehearsal} (null: none). */
    public static Outcome execute(Setup setup, Optimizer optimizer, double[] init, Trainer trainer,
                                  Trainer.Options options, Trainer.Listener listener, Checkpoint resume, Path resumeFile,
                                  Rehearsal rehearsal) {
        return executeTracking(setup, optimizer, init, trainer, options, listener, resume, resumeFile, p -> { }, p -> { },
                rehearsal);
    }

    /**
     * Runs {@code rehearsal} (see {@link Rehearsal}) and returns its wall seconds, or 0 when there
     * is none. A rehearsal that fails (a divergence, a singular Hessian, a refusal) is forgotten: the
     * timed run meets the same condition and reports it.
     */
    static double rehearse(Setup setup, double[] init, Trainer.Options options, Rehearsal rehearsal) {
        Objective f = setup.objective();
        if (rehearsal == null || rehearsal.steps() == 0 || options.steps() == 0 || f.remote()) {
            return 0;
        }
        ClRuntime rt = f.runtime();
        rt.finish();
        long t0 = System.nanoTime();
        Trainer.Options ro = new Trainer.Options(Math.min(rehearsal.steps(), options.steps()), 0, options.targetLoss(), false,
                options.gradTolerance(), options.patience(), options.readEvery(), options.divergenceFactor(), 0);
        try (Optimizer o = rehearsal.optimizer().get(); Problem problem = new Problem(f, init)) {
            o.init(problem);
            new Trainer().resume(problem, o, ro, new Trainer.Listener() { });
        } catch (RuntimeException ignored) {
            // the timed run meets it again and reports it
        } finally {
            if (f instanceof io.descent.objective.Batchable b) {
                b.useAllRows();
            }
            rt.finish();
        }
        return (System.nanoTime() - t0) * 1e-9;
    }

    /**
     * As {@link #execute}, with {@code started} called once the problem is set up (before the first
     * step) and {@code ended} after the last step (also after a divergence or a stop request),
     * while the problem's device state is still there: the place for a final checkpoint.
     */
    public static Outcome executeTracking(Setup setup, Optimizer optimizer, double[] init, Trainer trainer,
                                          Trainer.Options options, Trainer.Listener listener, Checkpoint resume,
                                          Path resumeFile, java.util.function.Consumer<Problem> started,
                                          java.util.function.Consumer<Problem> ended) {
        return executeTracking(setup, optimizer, init, trainer, options, listener, resume, resumeFile, started, ended, null);
    }

    /** As {@link #executeTracking}, after a {@link Rehearsal} (null: none). */
    public static Outcome executeTracking(Setup setup, Optimizer optimizer, double[] init, Trainer trainer,
                                          Trainer.Options options, Trainer.Listener listener, Checkpoint resume,
                                          Path resumeFile, java.util.function.Consumer<Problem> started,
                                          java.util.function.Consumer<Problem> ended, Rehearsal rehearsal) {
        Objective f = setup.objective();
        ClRuntime rt = f.runtime();
        rt.finish();
        PhaseTotals beforeRehearsal = rt.timer().totals(); // programs the rehearsal builds are the run's builds
        double rehearsalS = rehearse(setup, init, options, rehearsal);
        long g0 = f.count(Objective.Count.GRADIENT), l0 = f.count(Objective.Count.LOSS);
        long h0 = f.count(Objective.Count.HESSIAN) + f.count(Objective.Count.HESSIAN_VECTOR);
        try (Problem problem = new Problem(f, init)) {
            rt.finish();
            PhaseTotals beforeInit = rt.timer().totals();
            optimizer.init(problem);
            if (resume != null) {
                resume.restore(problem, optimizer, resumeFile);
            }
            started.accept(problem);
            rt.finish();
            PhaseTotals before = rt.timer().totals();
            PhaseTotals initBuilds = before.minus(rehearsalS > 0 ? beforeRehearsal : beforeInit);
            int shapes0 = rt.launchShapes();
            if (f instanceof io.descent.objective.Described d) d.runStarted();
            long t0 = System.nanoTime();
            History history;
            Trainer.Stop stop;
            Trainer.Result result = null;
            DivergenceException divergence = null;
            long builds0 = rt.buildNanos();
            long ga = f.count(Objective.Count.GRADIENT), la = f.count(Objective.Count.LOSS);
            long ha = f.count(Objective.Count.HESSIAN) + f.count(Objective.Count.HESSIAN_VECTOR);
            try {
                if (setup.validation() != null) trainer.accuracyOn(setup.validationAccuracy());
                result = trainer.resume(problem, optimizer, options, listener);
                history = result.history();
                stop = result.stop();
            } catch (DivergenceException e) {
                divergence = e;
                history = e.history();
                stop = null;
            }
            rt.finish();
            double builds = (rt.buildNanos() - builds0) * 1e-9;
            double wall = (System.nanoTime() - t0) * 1e-9 - builds;
            List<String> late = rt.launchShapesSince(shapes0); // before the final loss below, which is not timed
            if (f instanceof io.descent.objective.Described d) d.runEnded();
            PhaseTotals phases = rt.timer().totals().minus(before).plusBuilds(initBuilds);
            long grads = f.count(Objective.Count.GRADIENT) - g0, losses = f.count(Objective.Count.LOSS) - l0;
            long hess = f.count(Objective.Count.HESSIAN) + f.count(Objective.Count.HESSIAN_VECTOR) - h0;
            if (result != null && result.overshoot() > 0 && !history.isEmpty()) {
                // the steps the device ran past the stop are not part of the run: count to the stop step
                History.Row last = history.last();
                grads = ga - g0 + last.gradients();
                losses = la - l0 + last.losses();
                hess = ha - h0 + last.hessians();
            }
            ended.accept(problem);
            if (f instanceof io.descent.objective.Batchable b) {
                b.useAllRows(); // a mini-batch method leaves its last batch selected: the final loss is over all rows
            }
            double[] params = problem.readParams();
            double finalLoss = f.loss(problem.params());
            RunReport report = new RunReport(rt.device(), f.name(), optimizer.name(), optimizer.hyperParameters(),
                    f.precision().label(), problem.step(), divergence != null ? "diverged" : stop.label(), finalLoss,
                    params, setup.coefficients(params), grads, losses, hess, phases, wall, history);
            if (f.model().alpha() > 0) {
                report.json.put("alpha", f.model().alpha()); // the L2 penalty the loss includes
            }
            if (optimizer instanceof io.descent.optim.SearchOptimizer so) {
                report.json.put("optimizer_counters", so.counters());
            }
            if (divergence != null) {
                report.json.put("diverged_at_step", divergence.step());
                report.json.put("error", divergence.getMessage());
            }
            Trainer.Target hit = result == null ? null : result.target();
            if (!Double.isNaN(options.targetLoss())) {
                List<History.Row> rows = history.rows();
                if (hit == null && divergence != null) {
                    for (int i = 0; i < rows.size(); i++) { // a diverged run may have met the target first
                        if (rows.get(i).loss() <= options.targetLoss()) {
                            History.Row b = i == 0 ? null : rows.get(i - 1);
                            hit = b == null ? new Trainer.Target(rows.get(i).loss(), rows.get(i).step() - 1, 0, 0, 0)
                                    : new Trainer.Target(rows.get(i).loss(), b.step(), b.wallS(), b.deviceS(), b.gradients());
                            break;
                        }
                    }
                }
                if (hit == null && divergence == null && !rows.isEmpty() && finalLoss <= options.targetLoss()) {
                    History.Row last = history.last(); // the last step's own parameters, measured after the run
                    hit = new Trainer.Target(finalLoss, last.step(), last.wallS(), last.deviceS(), last.gradients());
                }
                report.json.put("target_loss", options.targetLoss());
                report.json.put("time_to_target_s", hit == null ? null : hit.wallS());
                report.json.put("device_to_target_s", hit == null ? null : hit.deviceS());
                report.json.put("gradients_to_target", hit == null ? null : hit.gradients());
                report.json.put("steps_to_target", hit == null ? null : hit.step());
            }
            if (result != null) {
                Map<String, Object> rec = new java.util.LinkedHashMap<>();
                rec.put("every_step", true);
                rec.put("read_batch", result.recording().batch());
                rec.put("reads", result.recording().reads());
                rec.put("overshoot_steps", result.overshoot());
                report.json.put("recording", rec);
            }
            report.json.put("build_s", builds + rehearsalS);
            report.json.put("rehearsal_s", rehearsalS);
            report.json.put("late_launch_shapes", late.size());
            if (!late.isEmpty()) report.json.put("late_launch_shape_list", late);
            if (!history.validation().isEmpty()) report.json.put("validation", Holdout.json(history, trainer.earlyStop()));
            if (result != null && result.stopReason() != null) {
                report.json.put("stop_reason", result.stopReason());
            }
            return new Outcome(report, divergence, params);
        }
    }
}
