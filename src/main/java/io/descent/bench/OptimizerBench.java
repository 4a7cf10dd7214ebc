package io.descent.bench;

import io.descent.cl.ClRuntime;
import io.descent.objective.Objective;
import io.descent.optim.Optimizer;
import io.descent.optim.Optimizers;
import io.descent.optim.Problem;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The optimizers' benchmark: what one training step costs, split into the gradient and the
 * optimizer's own update, for each optimizer on one objective.
 *
 * <p>Each optimizer gets a fresh {@link Problem} at the objective's seeded initial parameters, is
 * initialised, runs {@code warmup} steps, then {@code repeats} steps one at a time, each enqueued
 * and waited for ({@code rt.finish()}). Per step, from the deltas of the phase timer's totals:
 * <ul>
 *   <li>device time of the {@code gradient} and {@code update} phases (profiling events: what the
 *       device spent in the kernels; with mini-batches, choosing the rows counts as gradient and the
 *       epoch's upload as transfer);</li>
 *   <li>host time inside each phase's scopes (enqueueing; nothing waits inside a step), and</li>
 *   <li>the wall time of the whole step including the final wait.</li>
 * </ul>
 * The update's share is median(update device) / (median(gradient device) + median(update device)).
 */
public final class OptimizerBench {
    private final ClRuntime rt;
    private final int warmup;
    private final int repeats;
    private final long seed;

    /**
     * @param warmup  steps run before timing (kernel builds, caches)
     * @param repeats timed steps, each one sample
     * @param seed    seed of the objective's initial parameters
     */
    public OptimizerBench(ClRuntime rt, int warmup, int repeats, long seed) {
        Timing.checkRuns(warmup, repeats);
        this.rt = rt;
        this.warmup = warmup;
        this.repeats = repeats;
        this.seed = seed;
    }

    /** {@link #measure(Objective, List)} for optimizers given as registry specs ("adam:lr=0.01"). */
    public Map<String, Object> measureSpecs(Objective objective, List<String> specs) {
        List<Optimizer> list = new ArrayList<>();
        for (String s : specs) {
            list.add(Optimizers.parse(s));
        }
        return measure(objective, list);
    }

    /**
     * Times each optimizer on {@code objective}. The result, for JSON: objective, parameters,
     * precision, device, warmup, repeats, and under "optimizers" one entry per optimizer (keyed by
     * its toString) with the statistics described in the class comment. The optimizers are closed.
     */
    public Map<String, Object> measure(Objective objective, List<Optimizer> optimizers) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("objective", objective.name());
        out.put("parameters", objective.parameterCount());
        out.put("precision", objective.precision().label());
        out.put("device", rt.device().name());
        out.put("warmup", warmup);
        out.put("repeats", repeats);
        Map<String, Object> per = new LinkedHashMap<>();
        double[] initial = objective.initialParameters(new Random(seed));
        for (Optimizer o : optimizers) {
            try (o; Problem problem = new Problem(objective, initial)) {
                per.put(o.toString(), one(problem, o));
            }
        }
        out.put("optimizers", per);
        return out;
    }

    private Map<String, Object> one(Problem problem, Optimizer o) {
        o.init(problem);
        for (int i = 0; i < warmup; i++) {
            step(problem, o);
            rt.finish();
        }
        double[] gradDevice = new double[repeats];
        double[] updDevice = new double[repeats];
        double[] otherDevice = new double[repeats];
        double[] gradHost = new double[repeats];
        double[] updHost = new double[repeats];
        double[] wall = new double[repeats];
        PhaseTotals last = null;
        for (int i = 0; i < repeats; i++) {
            rt.finish();
            PhaseTotals before = rt.timer().totals();
            long t0 = System.nanoTime();
            step(problem, o);
            rt.finish();
            wall[i] = (System.nanoTime() - t0) * 1e-9;
            PhaseTotals d = rt.timer().totals().minus(before);
            gradDevice[i] = d.get(Phase.GRADIENT).deviceSeconds();
            updDevice[i] = d.get(Phase.UPDATE).deviceSeconds();
            otherDevice[i] = d.deviceNanos() * 1e-9 - gradDevice[i] - updDevice[i];
            gradHost[i] = d.get(Phase.GRADIENT).wallSeconds();
            updHost[i] = d.get(Phase.UPDATE).wallSeconds();
            last = d;
        }
        Stats g = Stats.of(gradDevice);
        Stats u = Stats.of(updDevice);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimizer", o.name());
        m.put("hyper_parameters", new LinkedHashMap<>(o.hyperParameters()));
        m.put("step_wall", Stats.of(wall).toJson());
        m.put("gradient_device", g.toJson());
        m.put("update_device", u.toJson());
        m.put("other_device", Stats.of(otherDevice).toJson());
        m.put("gradient_host", Stats.of(gradHost).toJson());
        m.put("update_host", Stats.of(updHost).toJson());
        m.put("update_share_device", g.median() + u.median() > 0 ? u.median() / (g.median() + u.median()) : 0.0);
        m.put("gradient_launches", last.get(Phase.GRADIENT).operations());
        m.put("update_launches", last.get(Phase.UPDATE).operations());
        m.put("host_reads_per_step", last.hostReads());
        return m;
    }

    private static void step(Problem problem, Optimizer o) {
        problem.beginStep();
        o.step(problem);
        problem.advance();
    }
}
