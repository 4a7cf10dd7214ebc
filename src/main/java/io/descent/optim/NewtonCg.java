package io.descent.optim;

import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.linalg.Reduction;
import io.descent.objective.Objective;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;

import java.util.Map;

/**
 * Newton-CG, truncated Newton (Nocedal and Wright, Algorithm 7.1; Hessian-free in Martens 2010):
 * the Newton system (H + lambda I) d = g solved approximately by conjugate gradients from
 * Hessian-vector products, so no matrix is ever formed and the size limits of {@code newton} do not
 * apply. For an MLP with {@code --curvature gauss-newton} the products are with the Gauss-Newton
 * matrix, which is positive semi-definite.
 *
 * <p><b>A step</b>: the gradient g at w (loss f0); CG from z = decay x the last step's direction
 * (warm start, Martens) or from 0, until ||r|| &lt;= min(0.5, sqrt(||g||)) ||g|| (the forcing term of
 * scipy's and scikit-learn's newton-cg; {@code rtol} &gt; 0 sets a fixed ratio instead) or {@code
 * max_cg} iterations. A curvature p.(H + lambda I)p
 * &lt;= 0 stops CG and keeps the last iterate; at the first iteration (no iterate yet) the direction
 * is -g, steepest descent. Then an Armijo line search along -z: candidates t = lr shrink^j, j &lt;
 * {@code max_evals}, in one batched launch; the first with f(w - t z) &lt;= f0 - c1 t g.z is taken. A
 * direction that is not a descent direction (g.z &lt;= 0, possible after a warm start) is replaced by
 * g and the search repeated.
 *
 * <p><b>Damping</b> (Levenberg-Marquardt with the reduction-ratio rule): rho = (f0 - f(w - t z)) /
 * (t g.z - t^2 z'Hz / 2), the actual over the quadratic model's decrease, where z'Hz = z.(g - r) -
 * lambda z.z follows from CG's residual r = g - (H + lambda I) z at no extra product. rho &lt; 1/4:
 * lambda &lt;- max(up lambda, tau z'Az / z.z) (a curvature scale of this step); rho &gt; 3/4: lambda &lt;-
 * lambda / down, and 0 below 1e-12 of that scale. A step with no acceptable candidate leaves w
 * unchanged (stalled), raises lambda and drops the warm start.
 *
 * <p>The run stops, reason "converged", when the decrement g.z / 2 is below the loss's rounding
 * (4 u |f|).
 *
 * <p>Host reads: one per CG iteration (its two scalars) and one per line search. The counters of
 * {@link SearchOptimizer}, plus {@code cg_iterations}, {@code hessian_vector_products} and
 * {@code negative_curvature} (CG runs stopped by it).
 *
 * <p>Defaults ({@code newton-cg:lr=1,lambda=0,tau=1e-3,up=1.5,down=1.5,max_cg=250,warm=true,decay=0.95,
 * c1=1e-4,shrink=0.5,max_evals=8,rtol=0}); up and down are Martens's 3/2.
 */
public final class NewtonCg extends SearchOptimizer {
    private static final int RR0 = 0, RR1 = 1, PAP = 2, GZ = 3, ZR = 4, ZZ = 5, SCALARS = 6;

    private final double lambda0;
    private final double tau;
    private final double up;
    private final double down;
    private final int maxCg;
    private final boolean warm;
    private final double decay;
    private final double c1;
    private final double shrink;
    private final int maxEvals;
    private final double[] factors;
    private final double rtol;

    private double lambda;
    private long cgIterations;
    private long hessianVectors;
    private long negativeCurvature;
    private boolean haveDirection;
    /** Whether z came from CG, so that r = g - (H + lambda I) z gives z'Hz for the reduction ratio. */
    private boolean modelKnown;

    private LineDevice dev;
    private Reduction reduction;
    private Program cg;
    private DeviceArray z, r, p, ap, prev, s, table;

    public NewtonCg(double lr, double lambda0, double tau, double up, double down, int maxCg, boolean warm, double decay,
                    double c1, double shrink, int maxEvals, double rtol) {
        super(lr);
        require(rtol >= 0 && rtol < 1, "rtol", rtol, "must be in [0, 1) (0: the forcing term min(0.5, sqrt(||g||)))");
        this.rtol = rtol;
        require(lambda0 >= 0 && Double.isFinite(lambda0), "lambda", lambda0, "must be a finite number >= 0");
        require(tau > 0 && Double.isFinite(tau), "tau", tau, "must be a finite number > 0");
        require(up > 1 && Double.isFinite(up), "up", up, "must be a finite number > 1");
        require(down > 1 && Double.isFinite(down), "down", down, "must be a finite number > 1");
        require(maxCg >= 1 && maxCg <= 100_000, "max_cg", maxCg, "must be between 1 and 100000");
        require(decay >= 0 && decay <= 1, "decay", decay, "must be in [0, 1] (the warm start's scale)");
        require(c1 > 0 && c1 < 1, "c1", c1, "must be in (0, 1) (sufficient-decrease constant)");
        require(shrink > 0 && shrink < 1, "shrink", shrink, "must be in (0, 1)");
        require(maxEvals >= 1 && maxEvals <= Objective.MAX_STEPS, "max_evals", maxEvals,
                "must be between 1 and " + Objective.MAX_STEPS);
        this.lambda0 = lambda0;
        this.tau = tau;
        this.up = up;
        this.down = down;
        this.maxCg = maxCg;
        this.warm = warm;
        this.decay = decay;
        this.c1 = c1;
        this.shrink = shrink;
        this.maxEvals = maxEvals;
        this.factors = new double[maxEvals];
        for (int j = 0; j < maxEvals; j++) factors[j] = Math.pow(shrink, j);
        this.lambda = lambda0;
    }

    public static NewtonCg fromSpec(Spec s) {
        s.requireOnly("lr", "lambda", "tau", "up", "down", "max_cg", "warm", "decay", "c1", "shrink", "max_evals", "rtol");
        return new NewtonCg(s.number("lr", 1.0), s.number("lambda", 0), s.number("tau", 1e-3), s.number("up", 1.5),
                s.number("down", 1.5), s.integer("max_cg", 250), s.flag("warm", true), s.number("decay", 0.95),
                s.number("c1", 1e-4), s.number("shrink", 0.5), s.integer("max_evals", 8), s.number("rtol", 0));
    }

    @Override
    public String name() {
        return "newton-cg";
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        m.put("lambda", lambda0);
        m.put("tau", tau);
        m.put("up", up);
        m.put("down", down);
        m.put("max_cg", maxCg);
        m.put("warm", warm);
        m.put("decay", decay);
        m.put("c1", c1);
        m.put("shrink", shrink);
        m.put("max_evals", maxEvals);
        m.put("rtol", rtol);
        return m;
    }

    /** The current damping. */
    public double lambda() {
        return lambda;
    }

    @Override
    protected void setUp(Problem problem) {
        var rt = problem.runtime();
        Precision pr = problem.precision();
        int n = problem.size();
        dev = own(new LineDevice(problem));
        reduction = own(new Reduction(rt, pr));
        cg = problem.program("cg.cl");
        z = own(rt.allocate(pr, n));
        r = own(rt.allocate(pr, n));
        p = own(rt.allocate(pr, n));
        ap = own(rt.allocate(pr, n));
        prev = own(rt.allocate(pr, n));
        s = own(rt.allocate(pr, SCALARS));
        table = own(rt.upload(pr, factors));
        prev.fill(0, Phase.UPDATE);
        lambda = lambda0;
        haveDirection = false;
    }

    @Override
    protected void resetCounters() {
        super.resetCounters();
        cgIterations = 0;
        hessianVectors = 0;
        negativeCurvature = 0;
    }

    @Override
    public Map<String, Double> counters() {
        Map<String, Double> m = super.counters();
        m.put("cg_iterations", (double) cgIterations);
        m.put("cg_iterations_per_step", steps == 0 ? 0.0 : (double) cgIterations / steps);
        m.put("hessian_vector_products", (double) hessianVectors);
        m.put("negative_curvature", (double) negativeCurvature);
        m.put("lambda", lambda);
        return m;
    }

    @Override
    public Map<String, DeviceArray> stateArrays() {
        return Map.of("previous_direction", prev);
    }

    @Override
    public Map<String, Double> stateScalars() {
        Map<String, Double> m = new java.util.LinkedHashMap<>(super.stateScalars());
        m.put("lambda", lambda);
        m.put("have_direction", haveDirection ? 1.0 : 0.0);
        m.put("cg_iterations", (double) cgIterations);
        m.put("hessian_vector_products", (double) hessianVectors);
        m.put("negative_curvature", (double) negativeCurvature);
        return m;
    }

    @Override
    public void restoreScalars(Map<String, Double> values) {
        super.restoreScalars(values);
        lambda = values.getOrDefault("lambda", lambda0);
        haveDirection = values.getOrDefault("have_direction", 0.0) != 0;
        cgIterations = values.getOrDefault("cg_iterations", 0.0).longValue();
        hessianVectors = values.getOrDefault("hessian_vector_products", 0.0).longValue();
        negativeCurvature = values.getOrDefault("negative_curvature", 0.0).longValue();
    }

    @Override
    public void step(Problem problem) {
        double lr = learningRate(problem.step());
        Objective f = problem.objective();
        DeviceArray w = problem.params();
        DeviceArray g = problem.grad();
        int slot0 = problem.gradient();
        gradients++;
        steps++;
        reduction.dot(g, g, s, RR0, Phase.UPDATE);
        double gg = read(s, RR0, 1)[0];
        double gnorm = Math.sqrt(gg);
        if (!(gnorm > 0)) {
            stalled(lr, slot0);
            return; // a stationary point: nothing to solve
        }
        boolean fromZero = solve(problem, gg, gnorm);
        int accepted = search(problem, f, w, lr, slot0);
        if (accepted < 0 && !fromZero) {
            haveDirection = false; // the warm start led nowhere: once more from steepest descent
            z.copyFrom(g, Phase.UPDATE);
            modelKnown = false;
            accepted = search(problem, f, w, lr, slot0);
        }
        if (accepted >= 0) {
            dev.pointTable(w, z, table, accepted, -lr);
            prev.copyFrom(z, Phase.UPDATE);
            haveDirection = warm;
            miniSteps++;
            moved();
        } else {
            haveDirection = false;
            stalled(lr, slot0);
        }
    }

    /**
     * CG on (H + lambda I) z = g into {@link #z} (and its residual into {@link #r}); returns whether
     * it started from zero.
     */
    private boolean solve(Problem problem, double gg, double gnorm) {
        Objective f = problem.objective();
        DeviceArray w = problem.params();
        DeviceArray g = problem.grad();
        double tol = (rtol > 0 ? rtol : Math.min(0.5, Math.sqrt(gnorm))) * gnorm;
        boolean fromZero = !(warm && haveDirection && decay > 0);
        modelKnown = true;
        double rr;
        int cur = RR0;
        if (fromZero) {
            z.fill(0, Phase.UPDATE);
            r.copyFrom(g, Phase.UPDATE);
            rr = gg;
        } else {
            dev.scale(decay, prev, z);
            product(f, w, z);
            dev.diff(g, ap, r);
            reduction.dot(r, r, s, RR0, Phase.UPDATE);
            rr = read(s, RR0, 1)[0];
        }
        p.copyFrom(r, Phase.UPDATE);
        int n = problem.size();
        int wgs = problem.runtime().workGroupSize();
        PhaseTimer timer = problem.runtime().timer();
        for (int i = 0; i < maxCg && Math.sqrt(rr) > tol; i++) {
            product(f, w, p);
            reduction.dot(p, ap, s, PAP, Phase.UPDATE);
            int next = cur == RR0 ? RR1 : RR0;
            try (PhaseTimer.Scope sc = timer.wall(Phase.UPDATE)) {
                cg.kernel("cg_update").args(n, z, r, p, ap, s, cur, PAP).launch(Phase.UPDATE, n, wgs);
            }
            reduction.dot(r, r, s, next, Phase.UPDATE);
            try (PhaseTimer.Scope sc = timer.wall(Phase.UPDATE)) {
                cg.kernel("cg_direction").args(n, p, r, s, cur, next, PAP).launch(Phase.UPDATE, n, wgs);
            }
            double[] v = read(s, 0, 3);
            cgIterations++;
            if (!(v[PAP] > 0)) {
                negativeCurvature++;
                if (i == 0 && fromZero) {
                    z.copyFrom(g, Phase.UPDATE); // no iterate yet: steepest descent
                    modelKnown = false;
                }
                break;
            }
            rr = v[next];
            cur = next;
        }
        return fromZero;
    }

    /** ap = (H + lambda I) v at w. */
    private void product(Objective f, DeviceArray w, DeviceArray v) {
        f.hessianVector(w, v, ap);
        hessianVectors++;
        if (lambda > 0) {
            dev.point(ap, v, lambda, ap);
        }
    }

    /**
     * The Armijo search along -z; adjusts lambda by the reduction ratio. Returns the accepted
     * candidate, or -1 (lambda raised).
     */
    private int search(Problem problem, Objective f, DeviceArray w, double lr, int slot0) {
        DeviceArray g = problem.grad();
        int m = maxEvals;
        dev.steps(table, 0, m, -lr);
        f.losses(w, z, dev.steps, m, dev.values);
        lossEvaluations += m;
        dev.copyValue(problem.losses(), slot0, dev.values, m);
        reduction.dot(g, z, dev.values, m + 1, Phase.UPDATE);
        reduction.dot(z, r, dev.values, m + 2, Phase.UPDATE);
        reduction.dot(z, z, dev.values, m + 3, Phase.UPDATE);
        double[] v = read(dev.values, 0, m + 4);
        double f0 = v[m], gz = v[m + 1], zr = v[m + 2], zz = v[m + 3];
        double zAz = gz - zr;                       // z.(H + lambda I) z, from A z = g - r
        double zHz = zAz - lambda * zz;
        double scale = zz > 0 && zAz > 0 ? zAz / zz : 1;
        double u = problem.precision().unitRoundoff();
        if (modelKnown && gz >= 0 && gz / 2 <= 4 * u * Math.abs(f0)) {
            converge(String.format(java.util.Locale.ROOT, "Newton-CG decrement g.z / 2 = %.3g <= 4 u |f| = %.3g: the "
                    + "remaining decrease is below the loss's rounding", gz / 2, 4 * u * Math.abs(f0)));
        }
        if (!(gz > 0)) {
            lambda = Math.max(up * lambda, tau * scale);
            return -1;
        }
        for (int j = 0; j < m; j++) {
            double t = lr * factors[j];
            if (Backtracking.sufficientDecrease(v[j], f0, t, gz, c1)) {
                if (!modelKnown) {
                    return j; // steepest descent: no model to judge the damping by
                }
                double predicted = t * gz - 0.5 * t * t * zHz;
                double rho = predicted > 0 ? (f0 - v[j]) / predicted : 0;
                if (rho < 0.25) {
                    lambda = Math.max(up * lambda, tau * scale);
                } else if (rho > 0.75) {
                    lambda /= down;
                    if (lambda < 1e-12 * scale) lambda = 0;
                }
                return j;
            }
        }
        lambda = Math.max(up * lambda, tau * scale);
        return -1;
    }

}
