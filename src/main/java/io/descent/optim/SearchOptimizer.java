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
 *   <li>{@code stalled_steps}: steps that accepted no move (the first candidate already failed);
 *       {@code skipped_steps}: those of them skipped as exact repeats (below);</li>
 *   <li>{@code steps}: steps taken.</li>
 * </ul>
 *
 * The counters are host state: {@link #stateScalars()} saves them with any method state, {@link
 * #restoreScalars} puts them back, {@link #init} resets them.
 *
 * <p><b>Repeated stalls are skipped.</b> A stalled step leaves the parameters, and so everything
 * the next step would compute, unchanged: with the same learning rate the next step would make the
 * same evaluations and stall again, bit for bit. Such a step is skipped: it records the same loss
 * (a device copy into the loss ring) and counts as a step and a stalled step, with no evaluation
 * and no host read. This assumes, as the trainer guarantees, that only the optimizer changes the
 * parameters between steps, and a full-batch objective.
 */
public abstract class SearchOptimizer extends Optimizer {
    /** The counters saved by {@link #stateScalars()}, by name. */
    private static final String[] COUNTERS = {"steps", "gradients", "loss_evaluations", "mini_steps", "host_reads",
            "stalled_steps", "skipped_steps"};

    protected long steps;
    protected long gradients;
    protected long lossEvaluations;
    protected long miniSteps;
    protected long hostReads;
    protected long stalledSteps;
    protected long skippedSteps;
    private double stalledLr = Double.NaN;
    private int stalledSlot = -1;

    private final java.util.List<AutoCloseable> owned = new java.util.ArrayList<>();

    /**
     * Frees what the last init made, zeroes the counters, then {@link #setUp}: every search
     * optimizer starts a run the same way.
     */
    @Override
    public final void init(Problem problem) {
        releaseOwned();
        resetCounters();
        clearConvergence();
        setUp(problem);
    }

    /** Makes this run's device resources ({@link #own} them) for {@code problem}. */
    protected abstract void setUp(Problem problem);

    /** Takes ownership of a device resource made in {@code init}: released by the next init and by close. */
    protected <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    /** Releases every owned resource, newest first (init calls it before allocating again). */
    protected void releaseOwned() {
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }
        owned.clear();
        if (first != null) throw first;
    }

    @Override
    public void close() {
        releaseOwned();
    }

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
        m.put("skipped_steps", (double) skippedSteps);
        return m;
    }

    /**
     * Skips this step when the last one stalled at the same learning rate (see the class comment):
     * copies its loss into a new ring slot with {@code dev}, counts the step, and returns true.
     */
    boolean skipRepeatedStall(Problem problem, double lr, LineDevice dev) {
        if (!(lr == stalledLr) || stalledSlot < 0) {
            return false;
        }
        int slot = problem.reserveSlot();
        dev.copyValue(problem.losses(), stalledSlot, problem.losses(), slot);
        stalledSlot = slot;
        stalledSteps++;
        skippedSteps++;
        steps++;
        return true;
    }

    /** Records a stalled step at {@code lr} whose loss (at the unchanged parameters) is in ring slot {@code slot}. */
    void stalled(double lr, int slot) {
        stalledSteps++;
        stalledLr = lr;
        stalledSlot = slot;
    }

    /** Records that the step moved (or changed state), so the next one is computed afresh. */
    void moved() {
        stalledLr = Double.NaN;
        stalledSlot = -1;
    }

    protected void resetCounters() {
        moved();
        steps = 0;
        gradients = 0;
        lossEvaluations = 0;
        miniSteps = 0;
        hostReads = 0;
        stalledSteps = 0;
        skippedSteps = 0;
    }

    /** {@code count} values of {@code a} from {@code from}: one host read, counted. */
    protected double[] read(DeviceArray a, int from, int count) {
        hostReads++;
        return a.read(from, count);
    }

    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        long[] v = {steps, gradients, lossEvaluations, miniSteps, hostReads, stalledSteps, skippedSteps};
        for (int i = 0; i < COUNTERS.length; i++) {
            m.put(COUNTERS[i], (double) v[i]);
        }
        return m;
    }

    @Override
    public void restoreScalars(Map<String, Double> values) {
        moved();
        steps = get(values, "steps");
        gradients = get(values, "gradients");
        lossEvaluations = get(values, "loss_evaluations");
        miniSteps = get(values, "mini_steps");
        hostReads = get(values, "host_reads");
        stalledSteps = get(values, "stalled_steps");
        skippedSteps = get(values, "skipped_steps");
    }

    private static long get(Map<String, Double> values, String key) {
        Double d = values.get(key);
        return d == null ? 0 : d.longValue();
    }
}
