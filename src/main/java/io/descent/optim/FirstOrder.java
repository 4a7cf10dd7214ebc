package io.descent.optim;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Kernel;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.linalg.Reduction;
import io.descent.objective.Batchable;
import io.descent.objective.Objective;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every first-order method shares: a step is one gradient evaluation (on the full batch or on
 * the next mini-batch), an optional global-norm clipping of that gradient, and ONE fused update
 * kernel of {@code opencl/optim.cl} over the whole flat parameter array that updates the parameters
 * and all of the method's state in place. Nothing is read back to the host inside a step.
 *
 * <p>Options common to all methods (keys of their specs, e.g. {@code adam:clip=1,batch=64}):
 * <ul>
 *   <li>{@code clip} (default 0: off): rescale g to clip * g / ||g|| when the global L2 norm ||g||
 *       exceeds clip (as {@code torch.nn.utils.clip_grad_norm_}, without its 1e-6). ||g||^2 is summed
 *       on the device ({@link Reduction#dot}, float64 accumulation where the device has it) into a
 *       device scalar that the update kernel reads: two extra launches, no host read.</li>
 *   <li>{@code batch} (absent: the full batch; given: >= 1): rows per mini-batch, for objectives
 *       over rows of data ({@link Batchable}), at most their number of rows; a new seeded order of
 *       the rows every epoch ({@link MiniBatches}). In the constructors 0 means the full batch.</li>
 *   <li>{@code seed} (default 0): the seed of the mini-batch orders.</li>
 * </ul>
 *
 * <p>Timing: the gradient runs under {@code gradient} (the objective times itself; choosing a
 * mini-batch's rows is one small launch under it too), the clipping reduction and the update kernel
 * under {@code update} (device time from profiling events, host time in a wall scope), the epoch's
 * row order upload under {@code transfer}.
 *
 * <p>Schedules: step t (0-based, {@link Problem#step()}) uses {@link #learningRate(long)}, passed to
 * the kernel as an argument.
 */
public abstract class FirstOrder extends Optimizer {
    /** Default clipping threshold: off. */
    public static final double DEFAULT_CLIP = 0;
    /** Default mini-batch size: 0, the full batch. */
    public static final int DEFAULT_BATCH = 0;
    /** Default seed of the mini-batch orders. */
    public static final long DEFAULT_SEED = 0;
    /**
     * Work-group size of the update kernels (capped by the device's maximum): they have no barriers,
     * so larger groups than the reductions' only cut per-group overhead (on PoCL, 256 ran Adam's
     * update over 4M float32 values about twice as fast as 16).
     */
    static final int UPDATE_GROUP = 256;
    /** Spec keys every first-order method accepts. */
    static final String[] COMMON_KEYS = {"lr", "clip", "batch", "seed"};

    private final double clip;
    private final int batch;
    private final long seed;

    private Problem problem;
    private Program program;
    private final Map<String, DeviceArray> state = new LinkedHashMap<>();
    private DeviceArray normSquared;
    private Reduction reduction;
    private MiniBatches batches;
    private long updates;
    private int updateGroup;

    /**
     * @param lr    base learning rate, finite and > 0
     * @param clip  global-norm clipping threshold, >= 0 (0: off)
     * @param batch mini-batch rows, >= 0 (0: full batch)
     * @param seed  seed of the mini-batch orders
     */
    protected FirstOrder(double lr, double clip, int batch, long seed) {
        super(lr);
        require(clip >= 0 && Double.isFinite(clip), "clip", clip, "must be a finite number >= 0 (0 turns clipping off)");
        require(batch >= 0, "batch", batch, "must be >= 1 (or 0 for the full batch)");
        this.clip = clip;
        this.batch = batch;
        this.seed = seed;
    }

    /** The update kernel's name in optim.cl, e.g. "adam_update". */
    protected abstract String kernelName();

    /** Names of the state arrays, in the kernel's argument order (each of the parameters' size, zeroed by init). */
    protected abstract List<String> stateNames();

    /**
     * The method's scalar arguments after (n, w, g, state..., clip, nsq) for step {@code t} (0-based)
     * with learning rate {@code lr}; Doubles become the program's {@code real}.
     */
    protected abstract List<Object> scalars(long t, double lr);

    /** The point the step's gradient is evaluated at (the parameters, or Nesterov's look-ahead). */
    protected DeviceArray gradientPoint(Problem problem) {
        return problem.params();
    }

    /** Called at the end of {@link #init} once the state is allocated and zeroed (Nesterov sets its look-ahead). */
    protected void initState(Problem problem) {
    }

    public double clip() {
        return clip;
    }

    /** Rows per mini-batch; 0 for the full batch. */
    public int batch() {
        return batch;
    }

    public long seed() {
        return seed;
    }

    /** Updates applied since {@link #init} (Adam's t for its bias correction is this plus one). */
    public long updates() {
        return updates;
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        m.putAll(methodParameters());
        if (clip > 0) m.put("clip", clip);
        if (batch > 0) {
            m.put("batch", batch);
            m.put("seed", seed);
        }
        return m;
    }

    /** The method's own hyper-parameters, in order (after lr, before clip/batch). */
    protected abstract Map<String, Object> methodParameters();

    @Override
    public void init(Problem problem) {
        Objective f = problem.objective();
        // Checks first: nothing is allocated or launched before they pass.
        Batchable rows = null;
        if (batch > 0) {
            if (!(f instanceof Batchable b)) {
                throw new UsageException(name() + ": batch = " + batch + " needs an objective over rows of data; "
                        + f.name() + " has none (leave batch out for the full batch)");
            }
            if (batch > b.rows()) {
                throw new UsageException(name() + ": batch = " + batch + " must be between 1 and the number of rows, "
                        + b.rows());
            }
            rows = b;
        }
        releaseAll();
        ClRuntime rt = problem.runtime();
        Precision p = problem.precision();
        Precision acc = rt.device().fp64() ? Precision.FP64 : p;
        this.problem = problem;
        this.updateGroup = (int) Math.min(UPDATE_GROUP, Long.highestOneBit(Math.max(1, rt.device().maxWorkGroupSize())));
        this.program = rt.program("optim.cl", p, Map.of("ACC_PRECISION", Integer.toString(acc.bits())));
        try {
            for (String name : stateNames()) {
                state.put(name, rt.allocate(p, problem.size()).fill(0, Phase.UPDATE));
            }
            // ||g||^2 for clipping; without clipping the kernels take it as an argument and never read it
            normSquared = rt.allocate(acc, 1).fill(0, Phase.UPDATE);
            if (clip > 0) {
                reduction = new Reduction(rt, p, acc);
            }
            if (rows != null) {
                batches = new MiniBatches(rt, program, rows, batch, seed, name());
            }
            updates = 0;
            initState(problem);
        } catch (RuntimeException e) {
            releaseAll();
            throw e;
        }
    }

    @Override
    public void step(Problem problem) {
        if (this.problem != problem || program == null) {
            throw new IllegalStateException(name() + ": init(problem) must come before step(problem)");
        }
        if (batches != null) {
            batches.next();
        }
        problem.gradientAt(gradientPoint(problem));
        long t = problem.step();
        double lr = learningRate(t);
        PhaseTimer timer = problem.runtime().timer();
        try (PhaseTimer.Scope s = timer.wall(Phase.UPDATE)) {
            if (clip > 0) {
                reduction.dot(problem.grad(), problem.grad(), normSquared, 0, Phase.UPDATE);
            }
            List<Object> args = new ArrayList<>();
            args.add(problem.size());
            args.add(problem.params());
            args.add(problem.grad());
            args.addAll(state.values());
            args.add(clip);
            args.add(normSquared);
            args.addAll(scalars(t, lr));
            Kernel k = program.kernel(kernelName());
            k.args(args.toArray()).launch(Phase.UPDATE, problem.size(), updateGroup);
        }
        updates++;
    }

    @Override
    public Map<String, DeviceArray> stateArrays() {
        return Collections.unmodifiableMap(state);
    }

    /** Counters to resume from: "updates", and with mini-batches "epoch" and "batch_index". */
    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("updates", (double) updates);
        if (batches != null) {
            m.put("epoch", (double) batches.epoch());
            m.put("batch_index", (double) batches.position());
        }
        return m;
    }

    @Override
    public void restoreScalars(Map<String, Double> values) {
        Double u = values.get("updates");
        if (u != null) {
            updates = u.longValue();
        }
        if (batches != null && values.containsKey("epoch")) {
            batches.restore(values.get("epoch").longValue(), values.getOrDefault("batch_index", 0.0).intValue());
        }
    }

    /** The mini-batches, or null for the full batch (for tests). */
    MiniBatches miniBatches() {
        return batches;
    }

    /** The problem {@link #init} was given. */
    protected Problem problem() {
        return problem;
    }

    private void releaseAll() {
        for (DeviceArray a : state.values()) {
            a.close();
        }
        state.clear();
        if (normSquared != null) {
            normSquared.close();
            normSquared = null;
        }
        if (reduction != null) {
            reduction.close();
            reduction = null;
        }
        if (batches != null) {
            batches.close();
            batches = null;
        }
        program = null;
        problem = null;
    }

    @Override
    public void close() {
        releaseAll();
    }

    /**
     * The {@code batch} option of a spec: absent gives {@code fallback}; given, it must be a whole
     * number >= 1 (batch = 0 is a mistake, not a request for the full batch).
     */
    static int batchOption(Spec s, int fallback) {
        if (!s.options().containsKey("batch")) {
            return fallback;
        }
        int b = s.integer("batch", fallback);
        if (b < 1) {
            throw new UsageException(s.name() + ": batch = " + b + " must be >= 1 (leave batch out for the full batch)");
        }
        return b;
    }

    /** The {@code seed} option of a spec: a whole number, {@link #DEFAULT_SEED} when absent. */
    static long seedOption(Spec s) {
        double d = s.number("seed", DEFAULT_SEED);
        if (d != Math.rint(d) || Math.abs(d) > 0x1p53) {
            throw new UsageException(s.name() + ": seed = " + s.options().get("seed") + " must be a whole number");
        }
        return (long) d;
    }

    /** Spec keys of a method: the common ones plus its own. */
    static String[] keys(String... own) {
        String[] all = new String[COMMON_KEYS.length + own.length];
        System.arraycopy(COMMON_KEYS, 0, all, 0, COMMON_KEYS.length);
        System.arraycopy(own, 0, all, COMMON_KEYS.length, own.length);
        return all;
    }
}
