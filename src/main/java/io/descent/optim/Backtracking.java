package io.descent.optim;

import io.descent.cl.DeviceArray;
import io.descent.linalg.Reduction;
import io.descent.objective.Objective;
import io.descent.profile.Phase;

import java.util.Map;

/**
 * Gradient descent with a backtracking (Armijo) line search (Armijo 1966; Nocedal and Wright,
 * Algorithm 3.1): the standard method the seed's ideas are compared against.
 *
 * <p><b>A step</b>: one gradient g at w (loss L0), then candidates t_j = lr shrink^j for j = 0, 1,
 * ..., {@code max_evals} - 1, each a forward-only loss at w - t_j g; the first candidate with
 * <pre>  f(w - t_j g) &lt;= L0 - c1 t_j g.g   (sufficient decrease)</pre>
 * is accepted and the parameters move there; when none of them is, the step leaves w unchanged (a
 * stalled step, counted). g.g is a device dot product, read with the first candidates' losses. Every
 * step starts again from lr (the initial step).
 *
 * <p><b>Batched</b> ({@code batched=true}): {@code batch} candidates t_j .. t_(j+batch-1) per
 * {@link Objective#losses} launch and host read; the first that satisfies the condition is accepted.
 * The candidates, their step sizes on the device and the decisions are those of the one-at-a-time
 * search, so both accept the same j and end at bit-identical parameters; batching only trades wasted
 * forward passes past the accepted candidate for fewer host round trips.
 *
 * <p>Defaults ({@code backtracking:lr=..,c1=..,shrink=..,max_evals=..,batched=..,batch=..}): lr
 * (initial step) {@value #DEFAULT_LR}, c1 {@value #DEFAULT_C1}, shrink {@value #DEFAULT_SHRINK},
 * max_evals {@value #DEFAULT_MAX_EVALS}, batched false, batch {@value #DEFAULT_BATCH}.
 */
public final class Backtracking extends SearchOptimizer {
    public static final double DEFAULT_LR = 1.0;
    public static final double DEFAULT_C1 = 1e-4;
    public static final double DEFAULT_SHRINK = 0.5;
    public static final int DEFAULT_MAX_EVALS = 30;
    public static final int DEFAULT_BATCH = 8;

    private final double c1;
    private final double shrink;
    private final int maxEvals;
    private final boolean batched;
    private final int batch;
    private final double[] factors;

    private LineDevice dev;
    private Reduction reduction;
    private DeviceArray table;
    private int lastAccepted;

    /**
     * @param lr       initial step (candidate 0), finite and > 0
     * @param c1       sufficient-decrease constant in (0, 1)
     * @param shrink   factor between candidates in (0, 1)
     * @param maxEvals candidates per step at most, >= 1
     * @param batched  evaluate {@code batch} candidates per launch
     * @param batch    candidates per launch when batched, 1 to {@link Objective#MAX_STEPS}
     */
    public Backtracking(double lr, double c1, double shrink, int maxEvals, boolean batched, int batch) {
        super(lr);
        require(c1 > 0 && c1 < 1, "c1", c1, "must be in (0, 1) (sufficient-decrease constant)");
        require(shrink > 0 && shrink < 1, "shrink", shrink, "must be in (0, 1)");
        require(maxEvals >= 1, "max_evals", maxEvals, "must be >= 1 (candidates per step)");
        require(batch >= 1 && batch <= Objective.MAX_STEPS, "batch", batch,
                "must be between 1 and " + Objective.MAX_STEPS + " (candidates per launch)");
        this.c1 = c1;
        this.shrink = shrink;
        this.maxEvals = maxEvals;
        this.batched = batched;
        this.batch = batch;
        this.factors = factors(maxEvals, shrink);
    }

    /** {@code backtracking}: lr, c1, shrink, max_evals, batched, batch. */
    public static Backtracking fromSpec(Spec s) {
        s.requireOnly("lr", "c1", "shrink", "max_evals", "batched", "batch");
        return new Backtracking(s.number("lr", DEFAULT_LR), s.number("c1", DEFAULT_C1),
                s.number("shrink", DEFAULT_SHRINK), s.integer("max_evals", DEFAULT_MAX_EVALS),
                s.flag("batched", false), s.integer("batch", DEFAULT_BATCH));
    }

    /** shrink^j for j < count, by repeated multiplication in float64. */
    public static double[] factors(int count, double shrink) {
        double[] r = new double[count];
        double x = 1;
        for (int j = 0; j < count; j++) {
            r[j] = x;
            x *= shrink;
        }
        return r;
    }

    @Override
    public String name() {
        return "backtracking";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        m.put("c1", c1);
        m.put("shrink", shrink);
        m.put("max_evals", maxEvals);
        m.put("batched", batched);
        if (batched) {
            m.put("batch", batch);
        }
        return m;
    }

    /** Index j of the candidate the last step accepted, -1 when it stalled. */
    public int lastAccepted() {
        return lastAccepted;
    }

    @Override
    protected void setUp(Problem problem) {
        dev = own(new LineDevice(problem));
        reduction = own(new Reduction(problem.runtime(), problem.precision()));
        table = own(problem.runtime().upload(problem.precision(), factors));
    }

    @Override
    public void step(Problem problem) {
        double lr = learningRate(problem.step());
        Objective f = problem.objective();
        DeviceArray w = problem.params();
        DeviceArray g = problem.grad();
        if (skipRepeatedStall(problem, lr, dev)) {
            lastAccepted = -1;
            return;
        }
        int slot0 = problem.gradient();
        gradients++;
        double l0 = Double.NaN;
        double gg = Double.NaN;
        int accepted = -1;
        int j0 = 0;
        while (j0 < maxEvals && accepted < 0) {
            int m = batched ? Math.min(batch, maxEvals - j0) : 1;
            dev.steps(table, j0, m, -lr);
            f.losses(w, g, dev.steps, m, dev.values);
            lossEvaluations += m;
            double[] v;
            if (j0 == 0) {
                dev.copyValue(problem.losses(), slot0, dev.values, m);
                reduction.dot(g, g, dev.values, m + 1, Phase.UPDATE);
                v = read(dev.values, 0, m + 2);
                l0 = v[m];
                gg = v[m + 1];
            } else {
                v = read(dev.values, 0, m);
            }
            for (int j = 0; j < m; j++) {
                if (sufficientDecrease(v[j], l0, lr * factors[j0 + j], gg, c1)) {
                    accepted = j0 + j;
                    break;
                }
            }
            j0 += m;
        }
        if (accepted >= 0) {
            dev.pointTable(w, g, table, accepted, -lr);
            miniSteps++;
            moved();
        } else {
            stalled(lr, slot0);
        }
        steps++;
        lastAccepted = accepted;
    }

    /** Armijo's condition for a step t along -g: loss &lt;= l0 - c1 t g.g (false for NaN). */
    public static boolean sufficientDecrease(double loss, double l0, double t, double gg, double c1) {
        return loss <= l0 - c1 * t * gg;
    }


}
