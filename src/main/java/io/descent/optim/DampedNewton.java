package io.descent.optim;

import io.descent.cl.DeviceArray;
import io.descent.linalg.Cholesky;
import io.descent.profile.Phase;

import java.util.Locale;
import java.util.Map;

/**
 * Damped Newton in the Levenberg-Marquardt manner (Levenberg 1944, Marquardt 1963; the starting
 * shift as in Madsen, Nielsen and Tingleff, "Methods for non-linear least squares problems", 2004):
 * d = (H + lambda I)^-1 g, w <- w - eta d (eta = lr, default 1), and lambda moves as follows.
 *
 * <ul>
 *   <li>lambda starts at {@code lambda} (default 0: pure Newton while that works).</li>
 *   <li>A try fails when H + lambda I is not positive definite by {@link io.descent.linalg.Cholesky}'s
 *       pivot test, or when the loss at the trial point w - eta d is above the loss at w (or not
 *       finite). After a failed try lambda <- max(up * lambda, tau * max_j |H_jj|) (defaults up = 10,
 *       tau = 1e-3; tau alone when the diagonal is zero), and the step is tried again with the same
 *       g and H.</li>
 *   <li>A try succeeds when the factorisation succeeds and the loss does not rise: the trial point is
 *       taken and lambda <- lambda / down (default down = 10), set to 0 once it is below u * max_j
 *       |H_jj| (too small to change H + lambda I in working precision).</li>
 *   <li>After {@code max_tries} failed tries (default 20) the parameters are left unchanged and a
 *       warning says so (at a minimum to working precision, or where the loss is not smooth).</li>
 * </ul>
 * The run stops, reason "converged", when the decrement g.d / 2 of an accepted step is below the
 * loss's rounding, or after a full undamped step on a quadratic once the step left is within its
 * rounding level, after rounds of iterative refinement if needed (see {@link SecondOrder}).
 * So the loss never rises from one step to the next, which is what makes seed 002's x cos(cx) go
 * downhill where pure Newton climbs to a maximum. The first time a Hessian is not positive
 * definite (a singular one from a duplicate feature column included) a warning names the pivot
 * and the parameter.
 *
 * <p>Host reads per try: the factorisation's status, then the two losses.
 */
public final class DampedNewton extends SecondOrder {
    private final double lambda0;
    private final double tau;
    private final double up;
    private final double down;
    private final int maxTries;
    private double lambda;
    private DeviceArray trial;
    private long tries;

    public DampedNewton() {
        this(1.0, 0, 1e-3, 10, 10, 20, false, DEFAULT_CONDEST);
    }

    public DampedNewton(double learningRate, double lambda0, double tau, double up, double down, int maxTries,
                        boolean refine, int condest) {
        super(learningRate, refine, condest);
        require(lambda0 >= 0 && Double.isFinite(lambda0), "lambda", lambda0, "must be a finite number >= 0");
        require(tau > 0 && Double.isFinite(tau), "tau", tau, "must be a finite number > 0");
        require(up > 1 && Double.isFinite(up), "up", up, "must be a finite number > 1");
        require(down > 1 && Double.isFinite(down), "down", down, "must be a finite number > 1");
        require(maxTries >= 1 && maxTries <= 1000, "max_tries", maxTries, "must be between 1 and 1000");
        this.lambda0 = lambda0;
        this.tau = tau;
        this.up = up;
        this.down = down;
        this.maxTries = maxTries;
        this.lambda = lambda0;
    }

    /** {@code damped-newton[:lr=1,lambda=0,tau=1e-3,up=10,down=10,max_tries=20,refine=false,condest=5]}. */
    public static DampedNewton fromSpec(Spec s) {
        s.requireOnly("lr", "lambda", "tau", "up", "down", "max_tries", "refine", "condest");
        return new DampedNewton(s.number("lr", 1.0), s.number("lambda", 0), s.number("tau", 1e-3), s.number("up", 10),
                s.number("down", 10), s.integer("max_tries", 20), s.flag("refine", false),
                s.integer("condest", DEFAULT_CONDEST));
    }

    @Override
    public String name() {
        return "damped-newton";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        m.put("lambda", lambda0);
        m.put("tau", tau);
        m.put("up", up);
        m.put("down", down);
        m.put("max_tries", maxTries);
        return m;
    }

    @Override
    public void init(Problem problem) {
        super.init(problem);
        if (trial != null) trial.close();
        trial = problem.runtime().allocate(problem.precision(), problem.size());
        lambda = lambda0;
        tries = 0;
    }

    /** The current shift. */
    public double lambda() {
        return lambda;
    }

    /** Factorisations tried so far (one per step when no damping was needed). */
    public long tries() {
        return tries;
    }

    @Override
    public Map<String, Double> stateScalars() {
        return Map.of("lambda", lambda, "tries", (double) tries);
    }

    @Override
    public void restoreScalars(Map<String, Double> values) {
        lambda = values.getOrDefault("lambda", lambda0);
        tries = values.getOrDefault("tries", 0.0).longValue();
    }

    @Override
    public void step(Problem problem) {
        if (refining()) {
            refineRound(problem);
            return;
        }
        long t = problem.step();
        int slot0 = gradientAndHessian(problem);
        double eta = learningRate(t);
        double u = problem.precision().unitRoundoff();
        double f0 = Double.NaN;
        double maxDiag = 0;
        for (int k = 0; k < maxTries; k++) {
            tries++;
            solve(problem, lambda, false);
            Cholesky.Info info = readInfo();
            maxDiag = info.maxDiagonal();
            if (!info.ok()) {
                double before = lambda;
                lambda = raise(lambda, maxDiag);
                String why = info.pivotValue() < 0 ? "negative curvature: H is indefinite here"
                        : "H is singular to working precision, e.g. a duplicate or constant feature";
                log.add("not-pd", t, String.format(Locale.ROOT, "damped-newton: H + lambda I with lambda = %s is not "
                        + "positive definite: pivot %d, %s, is %.3g (%s); lambda raised to %.3g and the step retried",
                        before == 0 ? "0" : String.format(Locale.ROOT, "%.3g", before), info.failedPivot(),
                        parameterName(info.failedPivot()), info.pivotValue(), why, lambda));
                continue;
            }
            update(problem, eta, trial);
            int slot = problem.lossAt(trial);
            if (Double.isNaN(f0)) {
                f0 = problem.readLoss(slot0);
            }
            double ft = problem.readLoss(slot);
            if (ft <= f0) {
                problem.params().copyFrom(trial, Phase.UPDATE);
                checkCondition(info, problem.precision(), t, lambda > 0 ? "H + lambda I" : "the Hessian");
                if (!checkQuadratic(problem, eta, lambda, info)) {
                    checkDecrement(f0, decrement(problem), problem.precision());
                }
                lambda /= down;
                if (lambda < u * maxDiag) {
                    lambda = 0;
                }
                return;
            }
            lambda = raise(lambda, maxDiag);
        }
        log.add("stuck", t, String.format(Locale.ROOT, "damped-newton: no step lowered the loss in %d tries (lambda up "
                + "to %.3g); parameters unchanged: a minimum to working precision, or a loss that is not smooth there",
                maxTries, lambda));
    }

    private double raise(double l, double maxDiag) {
        return Math.max(up * l, tau * (maxDiag > 0 ? maxDiag : 1));
    }

    @Override
    public void close() {
        super.close();
        if (trial != null) {
            trial.close();
            trial = null;
        }
    }
}
