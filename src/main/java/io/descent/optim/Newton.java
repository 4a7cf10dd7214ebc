package io.descent.optim;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.linalg.Cholesky;
import io.descent.objective.LinearModel;
import io.descent.objective.Objective;

import java.util.Locale;
import java.util.Map;

/**
 * Newton's method, in two forms chosen by {@code line_search}.
 *
 * <p><b>As the seeds write it</b> ({@code line_search=none}, the default on test functions and
 * MLPs): w &lt;- w - eta H(w)^-1 g(w), eta = lr (default 1) under the schedule. H^-1 g is taken
 * whatever the curvature: the factorisation keeps negative pivots (H = U'SU, see {@link Cholesky}),
 * so on a non-convex function the step heads for whatever stationary point the quadratic model
 * has, a maximum included (seed 002's x cos(cx)); each such step adds the warning that H was
 * indefinite. A Hessian singular to working precision stops the run with a {@link
 * SingularHessianException} that names the pivot; the device never applies the failed step.
 *
 * <p><b>As a GLM solver</b> ({@code line_search=armijo}, the default on logistic regression):
 * Newton/IRLS with a backtracking line search, as statsmodels and scikit-learn's newton-cholesky
 * do. d = H^-1 g by Cholesky (positive pivots only); candidates t = lr 2^-j, j &lt; {@value
 * #CANDIDATES}: t = lr alone first (IRLS takes full steps near the optimum), then the rest in one
 * batched launch; the first with f(w - t d) &lt;= f0 - 1e-4 t g.d is taken. (Least squares needs no
 * search: its full step is exact.) When H is singular or not positive definite (the pivot is named in a warning), d is not a
 * descent direction, or no candidate lowers the loss, the run falls back to L-BFGS from that step
 * on, and a warning says so.
 *
 * <p><b>Convergence</b> (both forms): the run stops, reason "converged", when the Newton decrement's
 * half g.d / 2 is below the rounding of the loss (4 u |f|), or, after a full step (eta = 1) with a
 * positive definite H on a quadratic objective (least squares), when the step left at the new point,
 * H^-1 g with the data's gradient, is within the rounding level that the condition estimate allows;
 * otherwise the next steps are rounds of iterative refinement, each kept only if it shrinks that
 * step ({@link SecondOrder} defines the rule).
 *
 * <p>One step: loss and gradient, Hessian, factorisation and solve (+ refinement and condition
 * estimate, see {@link SecondOrder}), update or search; host reads: the factorisation's status and
 * the decrement (with the candidates' losses in the search).
 */
public final class Newton extends SecondOrder {
    static final int CANDIDATES = 12;
    private static final double C1 = 1e-4;

    private final String lineSearch;
    private boolean armijo;
    private Lbfgs fallback;
    private LineDevice dev;
    private DeviceArray table;

    public Newton() {
        this(1.0, false, DEFAULT_CONDEST, "auto");
    }

    /** With {@code line_search=auto}. */
    public Newton(double learningRate, boolean refine, int condest) {
        this(learningRate, refine, condest, "auto");
    }

    public Newton(double learningRate, boolean refine, int condest, String lineSearch) {
        super(learningRate, refine, condest);
        String ls = lineSearch.toLowerCase(Locale.ROOT);
        if (!ls.equals("auto") && !ls.equals("armijo") && !ls.equals("none")) {
            throw new UsageException("optimizer 'newton': line_search = '" + lineSearch + "' must be auto, armijo or none");
        }
        this.lineSearch = ls;
    }

    /** {@code newton[:lr=1,refine=false,condest=5,line_search=auto]}. */
    public static Newton fromSpec(Spec s) {
        s.requireOnly("lr", "refine", "condest", "line_search");
        return new Newton(s.number("lr", 1.0), s.flag("refine", false), s.integer("condest", DEFAULT_CONDEST),
                s.word("line_search", "auto"));
    }

    @Override
    public String name() {
        return "newton";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        if (!lineSearch.equals("auto")) m.put("line_search", lineSearch);
        return m;
    }

    /** Whether the run fell back to L-BFGS. */
    public boolean fellBack() {
        return fallback != null;
    }

    @Override
    public void init(Problem problem) {
        super.init(problem);
        closeExtras();
        armijo = lineSearch.equals("armijo") || (lineSearch.equals("auto") && problem.objective().model() instanceof LinearModel
                && !problem.objective().isQuadratic());
        if (armijo) {
            dev = new LineDevice(problem);
            double[] factors = new double[CANDIDATES];
            for (int j = 0; j < CANDIDATES; j++) factors[j] = Math.scalb(1.0, -j);
            table = problem.runtime().upload(problem.precision(), factors);
        }
    }

    @Override
    public void step(Problem problem) {
        if (refining()) {
            refineRound(problem);
            return;
        }
        if (fallback != null) {
            fallback.step(problem);
            if (fallback.converged() != null) converge(fallback.converged());
            return;
        }
        if (armijo) {
            searchStep(problem);
            return;
        }
        long t = problem.step();
        int slot = gradientAndHessian(problem);
        solve(problem, 0, true);
        double eta = learningRate(t);
        update(problem, eta, problem.params());
        Cholesky.Info info = readInfo();
        if (!info.ok()) {
            throw new SingularHessianException(t, info.failedPivot(), parameterName(info.failedPivot()), info.pivotValue());
        }
        if (info.negativePivots() > 0) {
            log.add("indefinite", t, String.format(Locale.ROOT, "newton: the Hessian is not positive definite (%d "
                    + "negative pivot%s): the Newton step heads for a saddle point or a maximum of the quadratic model, "
                    + "not a minimum; damped-newton keeps every step downhill", info.negativePivots(),
                    info.negativePivots() == 1 ? "" : "s"));
        }
        checkCondition(info, problem.precision(), t, "the Hessian");
        if (!checkQuadratic(problem, eta, 0, info) && info.negativePivots() == 0) {
            checkDecrement(problem.readLoss(slot), decrement(problem), problem.precision());
        }
    }

    /** Newton/IRLS with the Armijo search (see the class comment). */
    private void searchStep(Problem problem) {
        long t = problem.step();
        Objective f = problem.objective();
        int slot0 = gradientAndHessian(problem);
        solve(problem, 0, false);
        Cholesky.Info info = readInfo();
        if (!info.ok()) {
            fallBack(problem, t, String.format(Locale.ROOT, "the Hessian is not positive definite: pivot %d, %s, is %.3g",
                    info.failedPivot(), parameterName(info.failedPivot()), info.pivotValue()));
            return;
        }
        double lr = learningRate(t);
        // t = lr first (IRLS takes the full step near the optimum), then the other candidates in one launch
        double f0 = Double.NaN;
        double gd = Double.NaN;
        for (int j0 = 0; j0 < CANDIDATES; ) {
            int m = j0 == 0 ? 1 : CANDIDATES - 1;
            dev.steps(table, j0, m, -lr);
            f.losses(problem.params(), direction, dev.steps, m, dev.values);
            if (j0 == 0) dev.copyValue(problem.losses(), slot0, dev.values, m);
            double[] v = dev.values.read(0, m + (j0 == 0 ? 1 : 0));
            if (j0 == 0) {
                f0 = v[m];
                gd = decrement(problem);
                checkCondition(info, problem.precision(), t, "the Hessian");
                if (!(gd > 0)) {
                    fallBack(problem, t, String.format(Locale.ROOT, "the Newton direction is not a descent direction "
                            + "(g.d = %.3g)", gd));
                    return;
                }
                if (checkDecrement(f0, gd, problem.precision())) {
                    return; // converged where it stands
                }
            }
            for (int j = 0; j < m; j++) {
                double step = lr * Math.scalb(1.0, -(j0 + j));
                if (Backtracking.sufficientDecrease(v[j], f0, step, gd, C1)) {
                    dev.pointTable(problem.params(), direction, table, j0 + j, -lr);
                    return;
                }
            }
            j0 += m;
        }
        fallBack(problem, t, "no step along the Newton direction lowered the loss");
    }

    private void fallBack(Problem problem, long t, String why) {
        log.add("fallback", t, "newton: " + why + "; continuing with L-BFGS from step " + (t + 1));
        fallback = (Lbfgs) Optimizers.parse("lbfgs");
        fallback.init(problem);
        fallback.step(problem);
    }

    @Override
    public Map<String, Double> stateScalars() {
        return Map.of("fell_back", fallback == null ? 0.0 : 1.0);
    }

    @Override
    public void restoreScalars(Map<String, Double> values) {
        // a checkpoint after a fallback resumes L-BFGS without its history (it rebuilds it in a few steps)
        if (values.getOrDefault("fell_back", 0.0) != 0 && fallback == null && dev != null) {
            fallback = (Lbfgs) Optimizers.parse("lbfgs");
            fallback.init(dev.problem());
        }
    }

    private void closeExtras() {
        if (fallback != null) fallback.close();
        fallback = null;
        if (dev != null) dev.close();
        dev = null;
        if (table != null) table.close();
        table = null;
    }

    @Override
    public void close() {
        closeExtras();
        super.close();
    }
}
