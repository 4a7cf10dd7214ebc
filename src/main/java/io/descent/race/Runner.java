package io.descent.race;

import io.descent.DescentException;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.optim.Optimizer;
import io.descent.optim.Schedule;
import io.descent.report.RunReport;
import io.descent.train.Experiment;
import io.descent.train.History;
import io.descent.train.Run;
import io.descent.train.Setup;
import io.descent.train.Targets;
import io.descent.train.Trainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs trials on one device. Trials of the same workload and seed share one upload of the data,
 * one starting point and one target, so every method starts from the same place and aims at the
 * same loss. Program builds and the upload happen before a trial's clock starts. A finished trial
 * is stored at once; a stored one is not run again.
 */
public final class Runner {
    /** Builds the experiment of a workload for a seed. */
    public interface Workloads {
        Experiment experiment(String workload, long seed);
    }

    /** Hears about each trial as it ends (or is skipped because it was stored). */
    public interface Progress {
        void trial(int done, int total, double elapsedS, double etaS, Trial trial, Map<String, Object> result, boolean stored);
    }

    /**
     * @param steps          steps per trial; 0: the workload's own (a scenario's, K-methods' separately)
     * @param trialBudgetS   wall seconds per trial at most (0: none)
     * @param suiteBudgetS   wall seconds for all trials (0: none); trials not started by then are left for a rerun
     * @param targetLoss     the target for every workload, or NaN for each workload's own ({@link Targets})
     * @param stopAtTarget   a trial ends at its target
     * @param historyPoints  rows of each trial's history kept in its result (for the charts)
     * @param onValidation   the target applies to the held-out rows' loss ({@link Targets#onValidation}); the
     *                       workloads' experiments hold rows out
     */
    public record Settings(Precision precision, long steps, double trialBudgetS, double suiteBudgetS, double targetLoss,
                           boolean stopAtTarget, Schedule schedule, int historyPoints, int readEvery, boolean onValidation) {
        public Settings(Precision precision, long steps, double trialBudgetS, double suiteBudgetS, double targetLoss,
                        boolean stopAtTarget, Schedule schedule, int historyPoints, int readEvery) {
            this(precision, steps, trialBudgetS, suiteBudgetS, targetLoss, stopAtTarget, schedule, historyPoints, readEvery,
                    false);
        }
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile Trainer current;

    /** Stops after the current trial, which ends at its next step (and is not stored). */
    public void requestStop() {
        stop.set(true);
        Trainer t = current;
        if (t != null) t.requestStop();
    }

    /**
     * Runs (or loads) {@code trials} in order of workload and seed and returns their results in the
     * order given; a trial left out by the suite budget or a stop request has no result (null).
     */
    public List<Map<String, Object>> run(ClRuntime rt, List<Trial> trials, Workloads workloads, Settings s,
                                         TrialStore store, Progress progress) {
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) results.add(null);
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            groups.computeIfAbsent(t.workload() + "\u0000" + t.repeat(), k -> new ArrayList<>()).add(i);
        }
        long t0 = System.nanoTime();
        int done = 0;
        int ran = 0;
        double ranSeconds = 0;
        for (List<Integer> group : groups.values()) {
            List<Integer> todo = new ArrayList<>();
            Trial head = trials.get(group.get(0));
            Map<String, Object> madeWith = madeWith(workloads.experiment(head.workload(), head.seed()), rt, s);
            for (int i : group) {
                Map<String, Object> stored = store == null ? null : store.load(trials.get(i), madeWith);
                if (stored != null) {
                    results.set(i, stored);
                    done++;
                    progress.trial(done, trials.size(), elapsed(t0), Double.NaN, trials.get(i), stored, true);
                } else {
                    todo.add(i);
                }
            }
            if (todo.isEmpty()) continue;
            Trial first = trials.get(todo.get(0));
            Experiment e = workloads.experiment(first.workload(), first.seed());
            try (Setup setup = e.build(rt, s.precision())) {
                double[] start = setup.defaultInit();
                Targets.Target target = !Double.isNaN(s.targetLoss()) ? null
                        : s.onValidation() ? Targets.onValidation(setup, start) : Targets.of(setup, start);
                double goal = target != null ? target.loss() : s.targetLoss();
                for (int i : todo) {
                    if (stop.get() || (s.suiteBudgetS() > 0 && elapsed(t0) >= s.suiteBudgetS())) {
                        return results;
                    }
                    Trial t = trials.get(i);
                    long a = System.nanoTime();
                    Map<String, Object> r = runOne(setup, e, start, goal, target, t, s);
                    if (r == null) {
                        return results; // stopped mid-trial: not stored, a rerun repeats it
                    }
                    r.put("made_with", madeWith);
                    double took = (System.nanoTime() - a) * 1e-9;
                    ran++;
                    ranSeconds += took;
                    done++;
                    results.set(i, r);
                    if (store != null) store.save(t, r);
                    double eta = ranSeconds / ran * (trials.size() - done);
                    progress.trial(done, trials.size(), elapsed(t0), eta, t, r, false);
                }
            }
        }
        return results;
    }

    private Map<String, Object> runOne(Setup setup, Experiment e, double[] start, double goal, Targets.Target target,
                                       Trial t, Settings s) {
        Map<String, Object> out = new LinkedHashMap<>(t.identity());
        out.put("target_loss", goal);
        out.put("target_on", s.onValidation() ? "validation" : "training");
        out.put("target", target == null ? "given (--target-loss)" : target.describe());
        String spec = t.spec();
        long steps = s.steps() > 0 ? s.steps() : e.stepsFor(spec);
        Trainer.Options options = new Trainer.Options(steps, s.trialBudgetS(), goal, s.stopAtTarget(), 0, 0, s.readEvery(),
                1e6, 0);
        Trainer trainer = new Trainer();
        if (setup.validation() != null) trainer.validateOn(setup.validation(), 1, 0).targetOnValidation(s.onValidation());
        current = trainer;
        try (Optimizer opt = Run.optimizer(spec, e, s.schedule())) {
            if (stop.get()) return null;
            Run.Outcome o = Run.execute(setup, opt, start, trainer, options, new Trainer.Listener() { }, null, null,
                    new Run.Rehearsal(() -> Run.optimizer(spec, e, s.schedule()), Run.Rehearsal.DEFAULT_STEPS));
            RunReport r = o.report();
            if ("interrupted".equals(r.json.get("stop"))) {
                return null;
            }
            for (Map.Entry<String, Object> kv : r.json.entrySet()) {
                if (!kv.getKey().equals("params") || start.length <= 1000) out.putIfAbsent(kv.getKey(), kv.getValue());
            }
            out.put("status", o.diverged() ? "diverged" : "ok");
            out.put("history", compact(r.history(), s.historyPoints()));
        } catch (DescentException ex) {
            // an optimizer that cannot run on this workload (sgd without rows, Newton too large) or a
            // device failure: kept, so the summary says why and a rerun does not repeat it
            out.put("status", ex.exitCode() == 2 ? "not applicable" : "failed");
            out.put("error", ex.getMessage());
            out.put("time_to_target_s", null);
            out.put("final_loss", Double.NaN);
        } finally {
            current = null;
        }
        return out;
    }

    /**
     * What a stored trial must have been made with to be used again: the data (source, seed), the
     * precision, the device and the settings that change its result.
     */
    static Map<String, Object> madeWith(Experiment e, ClRuntime rt, Settings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", e.objective);
        m.put("data", io.descent.train.RunIdentity.source(e));
        m.put("seed", e.seed);
        m.put("precision", s.precision().label());
        m.put("device", rt.device().name());
        m.put("steps", s.steps() > 0 ? s.steps() : e.steps);
        m.put("trial_budget_s", s.trialBudgetS());
        m.put("target_loss", Double.isNaN(s.targetLoss()) ? "per workload" : s.targetLoss());
        m.put("stop_at_target", s.stopAtTarget());
        if (s.onValidation()) m.put("target_on", "validation: " + e.holdout);
        m.put("schedule", String.valueOf(s.schedule()));
        m.put("read_every", s.readEvery());
        return m;
    }

    /** Up to {@code points} rows of (step, loss, wall s, device s, gradients): evenly spread, the last kept. */
    static List<Object> compact(History h, int points) {
        List<History.Row> rows = h.rows();
        List<Object> out = new ArrayList<>();
        int n = rows.size();
        int every = Math.max(1, (n + points - 1) / Math.max(1, points));
        for (int i = 0; i < n; i++) {
            if (i % every == 0 || i == n - 1) {
                History.Row r = rows.get(i);
                out.add(List.of(r.step(), r.loss(), r.wallS(), r.deviceS(), r.gradients()));
            }
        }
        return out;
    }

    private static double elapsed(long t0) {
        return (System.nanoTime() - t0) * 1e-9;
    }
}
