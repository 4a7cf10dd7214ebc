package io.descent.optim;

import io.descent.linalg.Cholesky;

import java.util.Locale;

/**
 * Newton's method (seeds 000 and 002): w <- w - eta H(w)^-1 g(w), eta = lr (default 1) under the
 * schedule. H^-1 g is taken whatever the curvature, as the seeds write it: the factorisation keeps
 * negative pivots (H = U'SU, see {@link Cholesky}), so on a non-convex function the step heads for
 * whatever stationary point the quadratic model has, a maximum included (seed 002's x cos(cx)); each
 * such step adds the warning that H was indefinite. A Hessian singular to working precision stops
 * the run with a {@link SingularHessianException} that names the pivot; the device never applies the
 * failed step, so the parameters stay those before it. {@link DampedNewton} handles both.
 *
 * <p>One step: loss and gradient, Hessian, factorisation and solve (+ refinement and condition
 * estimate, see {@link SecondOrder}), update; then one host read of the factorisation's status.
 * On linear regression one step from anywhere reaches the least-squares solution (seed 000).
 */
public final class Newton extends SecondOrder {
    public Newton() {
        this(1.0, false, DEFAULT_CONDEST);
    }

    public Newton(double learningRate, boolean refine, int condest) {
        super(learningRate, refine, condest);
    }

    /** {@code newton[:lr=1,refine=false,condest=5]}. */
    public static Newton fromSpec(Spec s) {
        s.requireOnly("lr", "refine", "condest");
        return new Newton(s.number("lr", 1.0), s.flag("refine", false), s.integer("condest", DEFAULT_CONDEST));
    }

    @Override
    public String name() {
        return "newton";
    }

    @Override
    public void step(Problem problem) {
        long t = problem.step();
        gradientAndHessian(problem);
        solve(problem, 0, true);
        update(problem, learningRate(t), problem.params());
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
    }
}
