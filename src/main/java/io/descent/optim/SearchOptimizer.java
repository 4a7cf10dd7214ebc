package io.descent.optim;

import io.descent.cl.DeviceArray;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Base of the methods that search along a direction after each gradient (KeepStepping, KeepVaulting,
 * backtracking, L-BFGS): the trade the seed-000 post is about, fewer gradients for more forward
 * passes, shows in {@link #counters()}, which every such optimizer keeps the same way:
 *
 * <ul>
 *   <li>{@code gradients}: loss-and-gradient evaluations (forward + backward, phase {@code gradient});</li>
 *   <li>{@code loss_evaluations}: forward-only losses (phase {@code loss}); a batched launch over m
 *       step sizes counts m, as {@link io.descent.objective.Objective#losses} counts them;</li>
 *   <li>{@code mini_steps}: accepted moves of the parameters (a KeepStepping step that accepts 7
 *       mini-steps counts 7, a backtracking or L-BFGS step that moves counts 1), and
 *       {@code mini_steps_per_gradient} = mini_steps / gradients;</li>
 *   <li>{@code host_reads}: reads of device scalars the method made to decide something (each makes
 *       the host wait for the queue); the trainer's own reads of the loss ring are not included;</li>
 *   <li>{@code stalled_steps}: steps that accepted no move (the first candidate already failed);</li>
 *   <li>{@code steps}: steps taken.</li>
 * </ul>
 *
 * The counters are host state: {@link #stateScalars()} saves them with any method state, {@link
 * #restoreScalars} puts them back, {@link #init} resets them.
 */
public abstract class SearchOptimizer extends Optimizer {
    /** The counters saved by {@link #stateScalars()}, by name. */
    private static final String[] COUNTERS = {"steps", "gradients", "loss_evaluations", "mini_steps", "host_reads",
            "stalled_steps"};

    protected long steps;
    protected long gradients;
    protected long lossEvaluations;
    protected long miniSteps;
    protected long hostReads;
    protected long stalledSteps;

    protected SearchOptimizer(double learningRate) {
        super(learningRate);
    }

    /** The counters described in the class comment, in a stable order. */
    public Map<String, Double> counters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("steps", (double) steps);
        m.put("gradients", (double) gradients);
        m.put("loss_evaluations", (double) lossEvaluations);
        m.put("mini_steps", (double) miniSteps);
        m.put("mini_steps_per_gradient", gradients == 0 ? 0.0 : (double) miniSteps / gradients);
        m.put("host_reads", (double) hostReads);
        m.put("stalled_steps", (double) stalledSteps);
        return m;
    }

    protected void resetCounters() {
        steps = 0;
        gradients = 0;
        lossEvaluations = 0;
        miniSteps = 0;
        hostReads = 0;
        stalledSteps = 0;
    }

    /** {@code count} values of {@code a} from {@code from}: one host read, counted. */
    protected double[] read(DeviceArray a, int from, int count) {
        hostReads++;
        return a.read(from, count);
    }

    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        long[] v = {steps, gradients, lossEvaluations, miniSteps, hostReads, stalledSteps};
        for (int i = 0; i < COUNTERS.length; i++) {
            m.put(COUNTERS[i], (double) v[i]);
        }
        return m;
    }

    @Override
    public void restoreScalars(Map<String, Double> values) {
        steps = get(values, "steps");
        gradients = get(values, "gradients");
        lossEvaluations = get(values, "loss_evaluations");
        miniSteps = get(values, "mini_steps");
        hostReads = get(values, "host_reads");
        stalledSteps = get(values, "stalled_steps");
    }

    private static long get(Map<String, Double> values, String key) {
        Double d = values.get(key);
        return d == null ? 0 : d.longValue();
    }
}
