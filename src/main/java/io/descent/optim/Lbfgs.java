package io.descent.optim;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.linalg.Reduction;
import io.descent.objective.Objective;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * L-BFGS (Nocedal 1980; Liu and Nocedal 1989; Nocedal and Wright, Algorithms 7.4 and 7.5), the
 * quasi-Newton method a user compares the seed's ideas against, entirely on the device except for
 * the line search's decisions.
 *
 * <p><b>A step</b>: with g the gradient at w and the last h &lt;= {@code history} pairs (s_i, y_i)
 * (s = w_new - w, y = g_new - g), the direction d = -H g comes from the two-loop recursion (first
 * loop newest to oldest: alpha_i = rho_i s_i.q, q -= alpha_i y_i; then r = gamma q with gamma =
 * s.y / y.y of the newest pair; second loop oldest to newest: beta = rho_i y_i.r, r += (alpha_i -
 * beta) s_i; d = -r; rho_i = 1 / y_i.s_i). Every dot product is a {@link Reduction} into a device
 * scalar that the next kernel reads: the history, q and r never leave the device. Then g.d and d.d
 * are read (one host read); if d is not a descent direction (g.d &gt;= 0, from round-off) the history
 * is dropped and d = -g. The line search then picks t and the parameters move to w + t d; the pair
 * (t d, g_new - g) joins the history when s.y &gt; 1e-10 (as PyTorch), read back with y.y (one host
 * read), the oldest pair dropping out when the history is full.
 *
 * <p>First trial step: lr min(1, 1/||g||) while the history is empty (PyTorch uses the 1-norm), lr
 * afterwards (lr = 1 is the natural quasi-Newton step).
 *
 * <p><b>Line searches</b> ({@code line_search=}):
 * <ul>
 *   <li>{@code wolfe} (default): {@link StrongWolfe}, each trial a loss and gradient at w + t d
 *       (phase {@code gradient}) and its g.d, read together (one host read per trial). The accepted
 *       trial's gradient becomes the next step's gradient and its loss the next step's recorded loss
 *       (copied into the loss ring, {@link Problem#reserveSlot()}), so a step costs as many
 *       gradients as trials, usually one.</li>
 *   <li>{@code backtracking}: Armijo on t_j = t_0 shrink^j, forward-only losses (phase
 *       {@code loss}; {@code batched=true} evaluates {@code batch} per launch, as {@link
 *       Backtracking}); then one loss and gradient at the accepted point, which, as with
 *       {@code wolfe}, forms the pair at once and serves as the next step's gradient.</li>
 * </ul>
 * Host reads per step: one for g.d and d.d, one per trial (wolfe) or per launch of candidates
 * (backtracking), one for the new pair's s.y and y.y. The first step evaluates the gradient at the
 * start; later steps take it from the previous step's search.
 *
 * <p>A search that finds no acceptable point leaves w unchanged (a stalled step) and drops the
 * history, so the next step searches along -g; when that stalls too, the steps after it would
 * repeat it exactly and are skipped ({@link SearchOptimizer}).
 *
 * <p>Defaults ({@code lbfgs:lr=..,history=..,line_search=..,c1=..,c2=..,max_evals=..,shrink=..,
 * batched=..,batch=..}): lr {@value #DEFAULT_LR}, history {@value #DEFAULT_HISTORY}, line_search
 * wolfe, c1 {@value #DEFAULT_C1}, c2 {@value #DEFAULT_C2}, max_evals {@value #DEFAULT_MAX_EVALS}
 * (PyTorch's max_ls 25 plus its first trial), shrink {@value #DEFAULT_SHRINK}, batched false, batch
 * {@value #DEFAULT_BATCH}.
 */
public final class Lbfgs extends SearchOptimizer {
    public static final double DEFAULT_LR = 1.0;
    public static final int DEFAULT_HISTORY = 10;
    public static final double DEFAULT_C1 = 1e-4;
    public static final double DEFAULT_C2 = 0.9;
    public static final int DEFAULT_MAX_EVALS = 26;
    public static final double DEFAULT_SHRINK = 0.5;
    public static final int DEFAULT_BATCH = 8;
    /** Curvature below which a pair is not stored (PyTorch's threshold). */
    public static final double MIN_CURVATURE = 1e-10;
    /** Zoom stops when the bracket times ||d|| is below this (PyTorch's tolerance_change). */
    public static final double TOLERANCE_CHANGE = 1e-9;

    /** The line search. */
    public enum LineSearch {
        WOLFE, BACKTRACKING;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        static LineSearch parse(String text) {
            for (LineSearch v : values()) {
                if (v.key().equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
            throw new UsageException("lbfgs: line_search = '" + text + "' must be wolfe or backtracking");
        }
    }

    // Scalar slots of sc: the direction read [L0, GD, DD], the pair read [YS, YY], scratch, trials.
    static final int L0 = 0;
    static final int GD = 1;
    static final int DD = 2;
    static final int YS = 3;
    static final int YY = 4;
    static final int DOT = 5;
    static final int PENDING = 6;
    static final int TRIAL = 8;  // trial b: loss at TRIAL + 2b, g.d at TRIAL + 2b + 1
    static final int POOL = 3;   // trial gradients alive at once: a bracket's two and the new one
    static final int PAIRS = 16; // pair i: y.s at PAIRS + 3i, y.y at + 1, alpha at + 2

    private final int history;
    private final LineSearch lineSearch;
    private final double c1;
    private final double c2;
    private final int maxEvals;
    private final double shrink;
    private final boolean batched;
    private final int batch;
    private final double[] factors;

    private Problem problem;
    private LineDevice dev;
    private Reduction reduction;
    private DeviceArray sc;
    private DeviceArray d;
    private DeviceArray trial;
    private DeviceArray[] s;
    private DeviceArray[] y;
    private DeviceArray[] pool;
    private DeviceArray table;
    private int pairs;        // pairs stored (<= history)
    private int newest = -1;  // index of the newest pair
    private boolean haveGradient; // grad holds the gradient at w and sc[PENDING] its loss
    private boolean lastPairStored;
    private boolean lastReset;
    private double lastT;
    private int lastEvaluations;

    /**
     * @param lr         trial step (see the class comment), finite and > 0
     * @param history    pairs kept, >= 1
     * @param lineSearch wolfe or backtracking
     * @param c1         sufficient decrease, in (0, 1)
     * @param c2         curvature (wolfe), in (c1, 1)
     * @param maxEvals   evaluations per line search, >= 1
     * @param shrink     backtracking factor, in (0, 1)
     * @param batched    backtracking: {@code batch} candidates per launch
     * @param batch      1 to {@link Objective#MAX_STEPS}
     */
    public Lbfgs(double lr, int history, LineSearch lineSearch, double c1, double c2, int maxEvals, double shrink,
                 boolean batched, int batch) {
        super(lr);
        require(history >= 1, "history", history, "must be >= 1 (pairs of s and y kept)");
        require(lineSearch != null, "line_search", null, "must be wolfe or backtracking");
        require(c1 > 0 && c1 < 1, "c1", c1, "must be in (0, 1) (sufficient-decrease constant)");
        require(c2 > c1 && c2 < 1, "c2", c2, "must be in (c1, 1) = (" + c1 + ", 1) (curvature constant)");
        require(maxEvals >= 1, "max_evals", maxEvals, "must be >= 1 (evaluations per line search)");
        require(shrink > 0 && shrink < 1, "shrink", shrink, "must be in (0, 1)");
        require(batch >= 1 && batch <= Objective.MAX_STEPS, "batch", batch,
                "must be between 1 and " + Objective.MAX_STEPS + " (candidates per launch)");
        this.history = history;
        this.lineSearch = lineSearch;
        this.c1 = c1;
        this.c2 = c2;
        this.maxEvals = maxEvals;
        this.shrink = shrink;
        this.batched = batched;
        this.batch = batch;
        this.factors = Backtracking.factors(maxEvals, shrink);
    }

    /** {@code lbfgs}: lr, history, line_search, c1, c2, max_evals, shrink, batched, batch. */
    public static Lbfgs fromSpec(Spec sp) {
        sp.requireOnly("lr", "history", "line_search", "c1", "c2", "max_evals", "shrink", "batched", "batch");
        return new Lbfgs(sp.number("lr", DEFAULT_LR), sp.integer("history", DEFAULT_HISTORY),
                LineSearch.parse(sp.word("line_search", "wolfe")), sp.number("c1", DEFAULT_C1),
                sp.number("c2", DEFAULT_C2), sp.integer("max_evals", DEFAULT_MAX_EVALS),
                sp.number("shrink", DEFAULT_SHRINK), sp.flag("batched", false), sp.integer("batch", DEFAULT_BATCH));
    }

    @Override
    public String name() {
        return "lbfgs";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        m.put("history", history);
        m.put("line_search", lineSearch.key());
        m.put("c1", c1);
        if (lineSearch == LineSearch.WOLFE) {
            m.put("c2", c2);
        } else {
            m.put("shrink", shrink);
            m.put("batched", batched);
            if (batched) {
                m.put("batch", batch);
            }
        }
        m.put("max_evals", maxEvals);
        return m;
    }

    public int history() {
        return history;
    }

    public LineSearch lineSearch() {
        return lineSearch;
    }

    /** Pairs stored now. */
    public int pairs() {
        return pairs;
    }

    /** The step size t the last step moved by along its direction (0 when it stalled). */
    public double lastT() {
        return lastT;
    }

    /** Whether the last step stored a new (s, y) pair. */
    public boolean lastPairStored() {
        return lastPairStored;
    }

    /** Whether the last step dropped the history (its direction was not a descent direction). */
    public boolean lastReset() {
        return lastReset;
    }

    /** Line-search evaluations of the last step. */
    public int lastEvaluations() {
        return lastEvaluations;
    }

    /** Direction of the last step (a device array; valid until the next step). */
    DeviceArray direction() {
        return d;
    }

    /** The stored pairs, oldest first: {s, y} device arrays. */
    DeviceArray[][] storedPairs() {
        DeviceArray[][] out = new DeviceArray[pairs][];
        for (int k = 0; k < pairs; k++) {
            int i = Math.floorMod(newest - pairs + 1 + k, history);
            out[k] = new DeviceArray[]{s[i], y[i]};
        }
        return out;
    }

    @Override
    protected void setUp(Problem problem) {
        this.problem = problem;
        Precision p = problem.precision();
        int n = problem.size();
        var rt = problem.runtime();
        dev = own(new LineDevice(problem));
        reduction = own(new Reduction(rt, p));
        sc = own(rt.allocate(p, PAIRS + 3L * history));
        d = own(rt.allocate(p, n));
        trial = own(rt.allocate(p, n));
        s = new DeviceArray[history];
        y = new DeviceArray[history];
        for (int i = 0; i < history; i++) {
            s[i] = own(rt.allocate(p, n));
            y[i] = own(rt.allocate(p, n));
        }
        pool = new DeviceArray[POOL];
        for (int i = 0; i < POOL; i++) {
            pool[i] = own(rt.allocate(p, n));
        }
        table = own(rt.upload(p, factors));
        for (DeviceArray a : stateArrays().values()) {
            a.fill(0, Phase.UPDATE); // unused history is zeros, not whatever the allocation held
        }
        pairs = 0;
        newest = -1;
        haveGradient = false;
    }

    @Override
    public void step(Problem problem) {
        double lr = learningRate(problem.step());
        Precision p = problem.precision();
        DeviceArray w = problem.params();
        DeviceArray g = problem.grad();
        if (skipRepeatedStall(problem, lr, dev)) {
            lastT = 0;
            lastEvaluations = 0;
            lastPairStored = false;
            lastReset = false;
            return;
        }
        int slot;
        if (haveGradient) {
            slot = problem.reserveSlot();
            dev.copyValue(sc, PENDING, problem.losses(), slot);
            dev.copyValue(sc, PENDING, sc, L0);
        } else {
            slot = problem.gradient();
            gradients++;
            dev.copyValue(problem.losses(), slot, sc, L0);
        }
        lastPairStored = false;
        lastReset = false;
        direction(g);
        double[] v = read(sc, L0, 3);
        double l0 = v[0];
        double gd = v[1];
        double dd = v[2];
        if (!(gd < 0) && pairs > 0) {
            pairs = 0;
            newest = -1;
            lastReset = true;
            direction(g);
            v = read(sc, L0, 3);
            gd = v[1];
            dd = v[2];
        }
        lastT = 0;
        lastEvaluations = 0;
        boolean moved = false;
        if (gd < 0 && Double.isFinite(l0)) { // else g = 0 (or NaN): nothing to search along
            double t0 = p.round(pairs == 0 ? lr * Math.min(1, 1 / Math.sqrt(dd)) : lr);
            moved = lineSearch == LineSearch.WOLFE ? wolfeStep(w, g, l0, gd, dd, t0) : backtrackingStep(w, g, l0, gd, t0);
        }
        steps++;
        haveGradient = true;
        if (moved) {
            moved();
            return;
        }
        dev.copyValue(sc, L0, sc, PENDING);
        if (pairs > 0) {
            // restart: the next step searches along -g, a different direction
            pairs = 0;
            newest = -1;
            stalledSteps++;
        } else {
            stalled(lr, slot); // along -g too: the next step would repeat this one exactly
        }
    }

    /** The strong-Wolfe search from w along d; true when it moved. */
    private boolean wolfeStep(DeviceArray w, DeviceArray g, double l0, double gd, double dd, double t0) {
        Precision p = problem.precision();
        Objective f = problem.objective();
        StrongWolfe.Phi phi = (t, busy) -> {
            int b = 0;
            while ((busy & (1 << b)) != 0) b++;
            double tr = p.round(t);
            dev.point(w, d, tr, trial);
            f.lossAndGradient(trial, pool[b], sc, TRIAL + 2 * b);
            gradients++;
            reduction.dot(pool[b], d, sc, TRIAL + 2 * b + 1, Phase.UPDATE);
            double[] r = read(sc, TRIAL + 2 * b, 2);
            return new StrongWolfe.Point(tr, r[0], r[1], b);
        };
        StrongWolfe.Result r = StrongWolfe.search(phi, new StrongWolfe.Point(0, l0, gd, -1), t0, Math.sqrt(dd),
                c1, c2, maxEvals, TOLERANCE_CHANGE);
        lastEvaluations = r.evaluations();
        StrongWolfe.Point a = r.point();
        if (a.handle() < 0 || a.t() == 0) {
            return false;
        }
        accept(w, g, a.t(), a.handle());
        return true;
    }

    /**
     * Moves w to w + t d, whose loss and gradient are in trial slot b (loss at sc[TRIAL + 2b]); the
     * pair (t d, g_new - g) is offered to the history; the gradient becomes the problem's.
     */
    private void accept(DeviceArray w, DeviceArray g, double t, int b) {
        int i = slotOfNext();
        dev.scale(t, d, s[i]);
        dev.diff(pool[b], g, y[i]);
        dev.point(w, d, t, w);
        g.copyFrom(pool[b], Phase.UPDATE);
        dev.copyValue(sc, TRIAL + 2 * b, sc, PENDING);
        lastPairStored = offerPair();
        lastT = t;
        miniSteps++;
    }

    /** Armijo backtracking from w along d; true when it moved. */
    private boolean backtrackingStep(DeviceArray w, DeviceArray g, double l0, double gd, double t0) {
        Precision p = problem.precision();
        Objective f = problem.objective();
        int accepted = -1;
        int j0 = 0;
        while (j0 < maxEvals && accepted < 0) {
            int m = batched ? Math.min(batch, maxEvals - j0) : 1;
            dev.steps(table, j0, m, t0);
            f.losses(w, d, dev.steps, m, dev.values);
            lossEvaluations += m;
            double[] v = read(dev.values, 0, m);
            for (int j = 0; j < m; j++) {
                double t = p.round(t0 * p.round(factors[j0 + j]));
                if (v[j] <= l0 + c1 * t * gd) {
                    accepted = j0 + j;
                    break;
                }
            }
            j0 += m;
        }
        lastEvaluations = accepted >= 0 ? accepted + 1 : maxEvals;
        if (accepted < 0) {
            return false;
        }
        double t = p.round(t0 * p.round(factors[accepted]));
        dev.point(w, d, t, trial);
        f.lossAndGradient(trial, pool[0], sc, TRIAL);
        gradients++;
        accept(w, g, t, 0);
        return true;
    }

    /** Index the next pair goes to. */
    private int slotOfNext() {
        return (newest + 1) % history;
    }

    /** y.s and y.y of the pair at slotOfNext() (one host read); stores it when y.s > MIN_CURVATURE. */
    private boolean offerPair() {
        int i = slotOfNext();
        reduction.dot(s[i], y[i], sc, PAIRS + 3 * i, Phase.UPDATE);
        reduction.dot(y[i], y[i], sc, PAIRS + 3 * i + 1, Phase.UPDATE);
        double[] v = read(sc, PAIRS + 3 * i, 2);
        if (v[0] > MIN_CURVATURE) {
            newest = i;
            pairs = Math.min(pairs + 1, history);
            return true;
        }
        return false;
    }

    /** d = -H g by the two-loop recursion over the stored pairs; then sc[GD] = g.d, sc[DD] = d.d. */
    private void direction(DeviceArray g) {
        PhaseTimer timer = problem.runtime().timer();
        int n = problem.size();
        int wgs = dev.workGroupSize();
        d.copyFrom(g, Phase.UPDATE);
        try (PhaseTimer.Scope scope = timer.wall(Phase.UPDATE)) {
            for (int k = 0; k < pairs; k++) {
                int i = Math.floorMod(newest - k, history);
                reduction.dot(s[i], d, sc, DOT, Phase.UPDATE);
                dev.program().kernel("lbfgs_first").args(n, d, y[i], sc, DOT, PAIRS + 3 * i, PAIRS + 3 * i + 2)
                        .launch(Phase.UPDATE, n, wgs);
            }
            if (pairs > 0) {
                dev.program().kernel("lbfgs_gamma").args(n, d, sc, PAIRS + 3 * newest, PAIRS + 3 * newest + 1)
                        .launch(Phase.UPDATE, n, wgs);
            }
            for (int k = pairs - 1; k >= 0; k--) {
                int i = Math.floorMod(newest - k, history);
                reduction.dot(y[i], d, sc, DOT, Phase.UPDATE);
                dev.program().kernel("lbfgs_second").args(n, d, s[i], sc, DOT, PAIRS + 3 * i, PAIRS + 3 * i + 2)
                        .launch(Phase.UPDATE, n, wgs);
            }
        }
        dev.scale(-1, d, d);
        reduction.dot(g, d, sc, GD, Phase.UPDATE);
        reduction.dot(d, d, sc, DD, Phase.UPDATE);
    }

    @Override
    public Map<String, DeviceArray> stateArrays() {
        Map<String, DeviceArray> m = new LinkedHashMap<>();
        if (s == null) {
            return m;
        }
        for (int i = 0; i < history; i++) {
            m.put("s" + i, s[i]);
            m.put("y" + i, y[i]);
        }
        m.put("scalars", sc);
        return m;
    }

    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = super.stateScalars();
        m.put("pairs", (double) pairs);
        m.put("newest", (double) newest);
        return m;
    }

    /** Restores the history; the next step evaluates the gradient afresh. */
    @Override
    public void restoreScalars(Map<String, Double> values) {
        super.restoreScalars(values);
        pairs = values.getOrDefault("pairs", 0.0).intValue();
        newest = values.getOrDefault("newest", -1.0).intValue();
        haveGradient = false;
    }



}
