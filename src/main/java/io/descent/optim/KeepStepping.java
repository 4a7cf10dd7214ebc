package io.descent.optim;

import io.descent.cl.DeviceArray;
import io.descent.objective.Objective;

import java.util.Map;

/**
 * KeepStepping (seed 000, Warmerdam 2020, "More Descent, Less Gradient"): after one gradient, keep
 * walking along it while the loss keeps falling, checking each move with a forward pass only.
 *
 * <p><b>A step</b> is one gradient g at the current parameters w (its loss L0 is the reference, and
 * the loss the trainer records), followed by up to {@code max_steps} <b>mini-steps</b> along -g.
 * Mini-step i (i = 0, 1, ..., the number already taken since the gradient) moves by
 * lr (1 + scale_i sqrt(i)) along -g, so after k mini-steps the parameters would be
 * <pre>  w_k = w - lr C_k g,   C_k = sum_{i < k} (1 + scale_i sqrt(i)).</pre>
 * Mini-step 0 is the one the post takes before its loop; it is a mini-step like the others and counts
 * toward {@code max_steps}. The loss at each candidate w_k is evaluated forward-only (phase
 * {@code loss}); the mini-step is <b>accepted</b> when that loss is strictly below the loss of the
 * last accepted point (L0 for mini-step 0), and the walk goes on until a mini-step is not accepted
 * or {@code max_steps} were accepted. A mini-step that does not lower the loss (higher, equal, or
 * NaN) is never accepted: the parameters end at w_K, K the number accepted (K = 0 leaves w
 * unchanged: a stalled step, counted; a stall that would repeat exactly is skipped, see {@link
 * SearchOptimizer}). So a step costs one gradient and min(K + 1, max_steps) loss evaluations one
 * at a time.
 *
 * <p><b>Batched</b> ({@code batched=true}): the next {@code batch} candidates w_(k+1) .. w_(k+batch)
 * are evaluated in one {@link Objective#losses} launch (and one host read) and the longest prefix
 * whose losses keep strictly decreasing is accepted; the walk goes on with another batch only when
 * the whole batch was accepted. Candidates past the first failure are wasted forward passes (counted),
 * the host round trips drop by up to a factor {@code batch}. Both modes evaluate every candidate
 * with the same kernel at the same device step size (scale * table value, see {@code
 * linesearch.cl}) and compare the same losses, and both move to w_K with the same kernel, so they
 * accept the same K and end at bit-identical parameters.
 *
 * <p><b>How this differs from the post's PyTorch code</b>, on purpose:
 * <ul>
 *   <li>The post's mini-step adds {@code (-lr - scale) * g} with {@code scale = -lr * scale_i *
 *       sqrt(i)}, i.e. moves by lr (1 - scale_i sqrt(i)) along -g: the step <i>shrinks</i> with i
 *       and for scale_i sqrt(i) > 1 goes uphill. Its text says the impatient walker <i>increases</i>
 *       the step; this class implements that stated intent, lr (1 + scale_i sqrt(i)).</li>
 *   <li>The post keeps the mini-step that made the loss worse; here it is never accepted.</li>
 *   <li>The post's loop starts i at 0 again after the pre-loop mini-step (i = 0 is used twice) and can
 *       take max_steps + 1 mini-steps; here i counts the mini-steps taken, so at most max_steps.</li>
 *   <li>The post re-evaluates the loss at w with a closure before stepping; here the gradient's own
 *       loss is the reference (one forward pass fewer per step).</li>
 *   <li>Candidates are formed from the step's start point, w - lr C_k g, not by adding each mini-step
 *       to the last (the same point, rounded once).</li>
 * </ul>
 *
 * <p>Defaults ({@code keepstepping:lr=..,max_steps=..,scale_i=..,batched=..,batch=..}): lr
 * {@value #DEFAULT_LR} (the post's experiments), max_steps {@value #DEFAULT_MAX_STEPS} and scale_i
 * {@value #DEFAULT_SCALE_I} (the post's constructor), batched false, batch {@value #DEFAULT_BATCH}.
 * The learning-rate schedule, if any, scales lr per step.
 */
public final class KeepStepping extends SearchOptimizer {
    public static final double DEFAULT_LR = 1e-3;
    public static final int DEFAULT_MAX_STEPS = 20;
    public static final double DEFAULT_SCALE_I = 0;
    public static final int DEFAULT_BATCH = 8;

    private final int maxSteps;
    private final double scaleI;
    private final boolean batched;
    private final int batch;
    private final double[] offsets;

    private LineDevice dev;
    private DeviceArray table;
    private int lastAccepted;
    private int lastEvaluated;

    /**
     * @param lr       the minimum step (mini-step 0 moves lr along -g), finite and > 0
     * @param maxSteps mini-steps per gradient at most, >= 1
     * @param scaleI   impatience: mini-step i moves lr (1 + scaleI sqrt(i)); finite and >= 0
     * @param batched  evaluate {@code batch} candidates per launch
     * @param batch    candidates per launch when batched, 1 to {@link Objective#MAX_STEPS}
     */
    public KeepStepping(double lr, int maxSteps, double scaleI, boolean batched, int batch) {
        super(lr);
        require(maxSteps >= 1, "max_steps", maxSteps, "must be >= 1 (mini-steps per gradient)");
        require(scaleI >= 0 && Double.isFinite(scaleI), "scale_i", scaleI,
                "must be a finite number >= 0 (the step grows by lr*scale_i*sqrt(i))");
        require(batch >= 1 && batch <= Objective.MAX_STEPS, "batch", batch,
                "must be between 1 and " + Objective.MAX_STEPS + " (candidates per launch)");
        this.maxSteps = maxSteps;
        this.scaleI = scaleI;
        this.batched = batched;
        this.batch = batch;
        this.offsets = offsets(maxSteps, scaleI);
    }

    /** {@code keepstepping}: lr, max_steps, scale_i, batched, batch (defaults in the class comment). */
    public static KeepStepping fromSpec(Spec s) {
        s.requireOnly("lr", "max_steps", "scale_i", "batched", "batch");
        return new KeepStepping(s.number("lr", DEFAULT_LR), s.integer("max_steps", DEFAULT_MAX_STEPS),
                s.number("scale_i", DEFAULT_SCALE_I), s.flag("batched", false), s.integer("batch", DEFAULT_BATCH));
    }

    /** C_1 .. C_maxSteps: C_k = sum_{i < k} (1 + scaleI sqrt(i)), added in order in float64. */
    public static double[] offsets(int maxSteps, double scaleI) {
        double[] c = new double[maxSteps];
        double sum = 0;
        for (int i = 0; i < maxSteps; i++) {
            sum += 1 + scaleI * Math.sqrt(i);
            c[i] = sum;
        }
        return c;
    }

    @Override
    public String name() {
        return "keepstepping";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        m.put("max_steps", maxSteps);
        m.put("scale_i", scaleI);
        m.put("batched", batched);
        if (batched) {
            m.put("batch", batch);
        }
        return m;
    }

    public int maxSteps() {
        return maxSteps;
    }

    public double scaleI() {
        return scaleI;
    }

    public boolean batched() {
        return batched;
    }

    /** Mini-steps the last step accepted. */
    public int lastAccepted() {
        return lastAccepted;
    }

    /** Candidates the last step evaluated (loss evaluations). */
    public int lastEvaluated() {
        return lastEvaluated;
    }

    @Override
    protected void setUp(Problem problem) {
        dev = own(new LineDevice(problem));
        table = own(problem.runtime().upload(problem.precision(), offsets));
    }

    @Override
    public void step(Problem problem) {
        double lr = learningRate(problem.step());
        Objective f = problem.objective();
        DeviceArray w = problem.params();
        DeviceArray g = problem.grad();
        if (skipRepeatedStall(problem, lr, dev)) {
            lastAccepted = 0;
            lastEvaluated = 0;
            return;
        }
        int slot0 = problem.gradient();
        gradients++;
        double last = Double.NaN; // loss of the last accepted point, read with the first candidates
        boolean first = true;
        int k = 0;
        int evaluated = 0;
        while (k < maxSteps) {
            int m = batched ? Math.min(batch, maxSteps - k) : 1;
            dev.steps(table, k, m, -lr);
            f.losses(w, g, dev.steps, m, dev.values);
            lossEvaluations += m;
            evaluated += m;
            double[] v;
            if (first) {
                dev.copyValue(problem.losses(), slot0, dev.values, m);
                v = read(dev.values, 0, m + 1);
                last = v[m];
                first = false;
            } else {
                v = read(dev.values, 0, m);
            }
            int j = 0;
            while (j < m && v[j] < last) {
                last = v[j];
                j++;
            }
            k += j;
            if (j < m) {
                break;
            }
        }
        if (k > 0) {
            dev.pointTable(w, g, table, k - 1, -lr);
            moved();
        } else {
            stalled(lr, slot0);
        }
        miniSteps += k;
        steps++;
        lastAccepted = k;
        lastEvaluated = evaluated;
    }


}
