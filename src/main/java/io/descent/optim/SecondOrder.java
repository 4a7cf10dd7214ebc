package io.descent.optim;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Format;
import io.descent.cl.Precision;
import io.descent.linalg.Cholesky;
import io.descent.objective.LinearModel;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Newton} and {@link DampedNewton} share: the dense Hessian on the device, its
 * factorisation ({@link Cholesky}), the step d = (H + lambda I)^-1 g, the update kernel of {@code
 * opencl/newton.cl}, and the warnings. A step runs under the phases {@code gradient} (loss and
 * gradient), {@code hessian} (assembly by the objective), {@code solve} (factorisation, triangular
 * solves, optional refinement and condition estimate) and {@code update} (w - eta d).
 *
 * <p>Options common to both: {@code refine} (default false): one step of iterative refinement of d
 * with the residual g - (H + lambda I) d summed in float64 where the device has it, which matters
 * for float32; {@code condest} (default 5): power-method and inverse-iteration steps for the
 * condition estimate of H + lambda I (0: only the free estimate from the Cholesky pivots).
 * When the estimate kappa times the unit roundoff u of the working precision reaches {@link
 * #UNRELIABLE}, the step is computed but a warning says how few digits of it to trust.
 *
 * <p><b>Convergence on a quadratic is measured</b> ({@link #checkQuadratic}). A full Newton step
 * (eta = 1, lambda = 0, positive definite factor) minimises a quadratic exactly only in exact
 * arithmetic: the computed step carries the errors of forming H and of the solve, which the
 * condition number kappa of H amplifies up to about kappa u relative. So after such a step the
 * method evaluates the gradient g at the new point w from the data (least squares: (2/n) X'(Xw - y)
 * + 2 alpha w, summed in float64 where the device has it), solves c = H^-1 g with the step's factor
 * (H is constant on a quadratic: no new Hessian), and reads ||c||, ||w|| and f(w) in one host read.
 * c is the step that is left, the distance to the minimum as the data's gradient shows it: the
 * gradient in the metric of H^-1. (Its 2-norm would not do: it is dominated by H's large eigenvalues
 * and is at its rounding level after any step, while the error lies along the small ones. On NIST
 * Wampler2, ||g|| rose in the round that gained 3 digits.) The run stops, reason "converged", when
 * <pre>
 *   ||c|| &lt;= rho = u (p + sqrt(kappa)) (||w|| + sqrt(2 |f| / ||H||)),
 * </pre>
 * the rounding level of c: evaluating the gradient perturbs the residual r = Xw - y by about u (||X||
 * ||w|| + ||y||), which H^-1 (2/n) X' maps to at most kappa(X) = sqrt(kappa) times that over ||X||,
 * with ||y|| / ||X|| &lt;= ||w|| + ||r|| / ||X|| and ||r|| / ||X|| = sqrt(2 f / ||H||) for f = ||r||^2 / n;
 * p u ||w|| is the rounding of w itself and of the solve's p-term sums, which no step resolves. Here
 * u is the working precision's unit roundoff, p the number of parameters, kappa {@link
 * Cholesky.Info#conditionEstimate()} and ||H|| the larger of the power-method norm and max |H_jj|
 * (both at most ||H||_2). With kappa near 1 (the scenario linear-1m), rho is about p u ||w|| and the
 * one step meets it: one step, one extra gradient.
 *
 * <p>Otherwise the next steps are rounds of iterative refinement with the data's gradient as the
 * residual: w &lt;- w - c, then the same measurement at the new point (one gradient and two
 * triangular solves with the same factor; no Hessian). A round whose ||c|| did not shrink is undone
 * (the parameters go back to the point before it) and the run stops; it also stops when ||c|| is
 * within rho, when ||c|| shrank by less than half (converging too slowly to pay), or after {@link
 * #MAX_ROUNDS} rounds. Refinement converges while kappa u is well below 1 (Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed., ch. 12), to about sqrt(kappa) u relative, the accuracy
 * of a QR least-squares solver, where one step of the normal equations has about kappa u: NIST
 * Wampler1 went from 6.7 to 9.9 correct digits (benchmarks/RESULTS.md). Where kappa u is near or above
 * 1 (NIST Filip) the formed H has no correct digit and neither the step nor refinement can recover
 * them in the working precision. A checkpoint holds no refinement state (the factor is not saved): a
 * run resumed between rounds takes a full Newton step instead, which measures again.
 *
 * <p>Size limit: the Hessian and its factor are two p x p matrices; each may take at most a quarter
 * of the device's global memory and no more than its largest buffer ({@link #maxParameters}). Above
 * that {@link #init} fails with a message that names the limit. On the PoCL CPU device of the
 * benchmarks (4.4 GB, 2 GB buffers) that is 17,141 parameters in float32 and 12,121 in float64. The
 * limit is the same for every objective; for the MLP the dense Hessian is built from p
 * Hessian-vector products (exact, or Gauss-Newton when the objective was made with that curvature),
 * so a step costs about p gradient passes plus p^3 / 3 for the factorisation: the 661-parameter
 * seed network on 10K rows took 1.6 s per step here, nearly all of it the Hessian. Linear and
 * logistic regression assemble H in one pass for up to {@link
 * io.descent.objective.LinearModel#MAX_FUSED_HESSIAN} parameters and refuse more themselves.
 */
public abstract class SecondOrder extends Optimizer implements Warnings {
    /** kappa * u at or above which a warning says the solve has fewer than about 3 correct digits. */
    public static final double UNRELIABLE = 1e-3;
    /** Default condition-estimate iterations. */
    public static final int DEFAULT_CONDEST = 5;
    /** Most rounds of iterative refinement after a full step on a quadratic. */
    public static final int MAX_ROUNDS = 5;

    private final boolean refine;
    private final int condest;
    protected final WarningLog log = new WarningLog();
    protected Cholesky chol;
    protected DeviceArray hessian;
    protected DeviceArray direction;
    private DeviceArray residual;
    private DeviceArray correction;
    private String[] names;
    private Cholesky.Info lastInfo;
    private io.descent.linalg.Reduction reduction;
    private DeviceArray scalars;
    /** Parameters before the last refinement round, to undo it. */
    private DeviceArray previous;
    /** A refinement round is due: {@link #correction} holds c = H^-1 g at the parameters. */
    private boolean refining;
    private int rounds;
    /** ||c|| of the pending correction. */
    private double pendingNorm;
    /** Loss-ring slot of f at the parameters (written by the last measurement). */
    private int measuredSlot;
    /** The factorisation the rounds solve with. */
    private Cholesky.Info refineInfo;

    protected SecondOrder(double learningRate, boolean refine, int condest) {
        super(learningRate);
        require(condest >= 0 && condest <= 1000, "condest", condest, "must be between 0 and 1000");
        this.refine = refine;
        this.condest = condest;
    }

    /**
     * Largest parameter count p for which H and its factor (p^2 values each) fit on {@code device}:
     * each at most a quarter of global memory and at most the largest buffer.
     */
    public static int maxParameters(DeviceInfo device, Precision precision) {
        long perMatrix = Math.min(device.maxAllocation(), device.globalMemory() / 4);
        return (int) Math.floor(Math.sqrt((double) (perMatrix / precision.bytes())));
    }

    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = super.hyperParameters();
        m.put("refine", refine);
        m.put("condest", condest);
        return m;
    }

    @Override
    public void init(Problem problem) {
        release();
        log.clear();
        lastInfo = null;
        ClRuntime rt = problem.runtime();
        Precision precision = problem.precision();
        int p = problem.size();
        int max = maxParameters(rt.device(), precision);
        if (p > max) {
            throw new UsageException(String.format(Locale.ROOT, "%s: %d parameters need a %d x %d Hessian and its factor "
                            + "(%s in %s); '%s' allows at most %d parameters (each matrix within a quarter of its %s "
                            + "and within its largest buffer); use a first-order optimizer or a smaller model",
                    name(), p, p, p, Format.bytes(2L * p * p * precision.bytes()), precision.label(), rt.device().name(),
                    max, Format.bytes(rt.device().globalMemory())));
        }
        chol = new Cholesky(rt, precision, p);
        hessian = rt.allocate(precision, (long) p * p);
        direction = rt.allocate(precision, p);
        residual = rt.allocate(precision, p);
        correction = rt.allocate(precision, p);
        names = problem.objective().model() instanceof LinearModel lm ? lm.parameterNames() : null;
        problem.program("newton.cl"); // built here, not in the first step's timing
        reduction = new io.descent.linalg.Reduction(rt, precision);
        scalars = rt.allocate(precision, 3);
        previous = rt.allocate(precision, p);
        refining = false;
        rounds = 0;
        clearConvergence();
        if (refine && !chol.refinesInFp64()) {
            log.add("refine", 0, name() + ": refine=true, but '" + rt.device().name() + "' has no float64: the "
                    + "refinement residual is summed in " + precision.label() + " and gains little");
        }
    }

    /** Loss and gradient (into the loss ring and {@link Problem#grad()}), then the Hessian, at the parameters. */
    protected int gradientAndHessian(Problem problem) {
        int slot = problem.gradient();
        problem.objective().hessian(problem.params(), hessian);
        return slot;
    }

    /**
     * direction = (H + lambda I)^-1 g (zero when the factorisation fails), refined once if asked, and
     * the condition estimate; all enqueued, nothing read.
     */
    protected void solve(Problem problem, double lambda, boolean allowNegative) {
        chol.factorSolve(hessian, lambda, allowNegative, problem.grad(), direction);
        if (refine) {
            chol.refine(problem.grad(), direction, residual, correction);
        }
        if (condest > 0) {
            chol.estimateCondition(condest);
        }
    }

    /** out = w - eta * direction unless the factorisation failed (then out = w), under {@code update}. */
    protected void update(Problem problem, double eta, DeviceArray out) {
        update(problem, eta, direction, out);
    }

    private void update(Problem problem, double eta, DeviceArray d, DeviceArray out) {
        try (PhaseTimer.Scope s = problem.runtime().timer().wall(Phase.UPDATE)) {
            problem.program("newton.cl").kernel("newton_step")
                    .args(problem.size(), problem.params(), d, eta, chol.infoArray(), out)
                    .launch(Phase.UPDATE, problem.size(), 0);
        }
    }

    /** The Newton decrement g.d at the step's point (d the solved direction): one device dot and one host read. */
    protected double decrement(Problem problem) {
        reduction.dot(problem.grad(), direction, scalars, 0, Phase.UPDATE);
        return scalars.read(0, 1)[0];
    }

    /**
     * Marks the run converged when the quadratic model's remaining decrease, the decrement / 2,
     * is at most 4 u |f| (below the rounding of the loss itself: no further step can lower it
     * measurably), and says so. Returns whether it did.
     */
    protected boolean checkDecrement(double f, double decrement, Precision precision) {
        double u = precision.unitRoundoff();
        if (Double.isFinite(f) && decrement >= 0 && decrement / 2 <= 4 * u * Math.abs(f)) {
            converge(String.format(Locale.ROOT, "Newton decrement g'H^-1 g / 2 = %.3g <= 4 u |f| = %.3g: the remaining "
                    + "decrease is below the loss's rounding", decrement / 2, 4 * u * Math.abs(f)));
            return true;
        }
        return false;
    }

    /**
     * After a full Newton step (eta = 1, lambda = 0, positive definite H) on a quadratic: measures the
     * correction c = H^-1 g at the new point and marks the run converged when ||c|| is within its
     * rounding level, else makes the next step a round of refinement (see the class comment).
     * Returns whether the step was such a step (the decrement test then does not apply).
     */
    protected boolean checkQuadratic(Problem problem, double eta, double lambda, Cholesky.Info info) {
        if (!(problem.objective().isQuadratic() && eta == 1 && lambda == 0 && info.ok() && info.negativePivots() == 0)) {
            return false;
        }
        refineInfo = info;
        rounds = 0;
        double[] m = measure(problem);
        double rho = roundingLevel(problem, m);
        if (m[0] <= rho) {
            converge(String.format(Locale.ROOT, "a full Newton step on a quadratic: the step left at the new point, "
                    + "||H^-1 g|| = %.3g, is within its rounding level %.3g (condition estimate %.3g)", m[0], rho,
                    info.conditionEstimate()));
        } else if (Double.isFinite(m[0])) {
            refining = true;
            pendingNorm = m[0];
        }
        return true;
    }

    /** Whether the next step is a round of refinement (a full step on a quadratic left more than rounding). */
    protected boolean refining() {
        return refining;
    }

    /** The pending correction c while {@link #refining()} (for tests that change it), else null. */
    DeviceArray pendingCorrection() {
        return refining ? correction : null;
    }

    /**
     * One round of iterative refinement: w &lt;- w - c with the pending correction c, then the
     * measurement at the new point; undone when ||c|| did not shrink. Records the loss at the
     * round's start (copied from the last measurement, so the history has one loss per step).
     */
    protected void refineRound(Problem problem) {
        int slot = problem.reserveSlot();
        problem.losses().copyRange(problem.losses(), measuredSlot, slot, 1, Phase.UPDATE);
        previous.copyFrom(problem.params(), Phase.UPDATE);
        update(problem, 1, correction, problem.params());
        rounds++;
        double[] m = measure(problem);
        double before = pendingNorm;
        refining = false;
        if (!(m[0] < before)) {
            problem.params().copyFrom(previous, Phase.UPDATE);
            converge(String.format(Locale.ROOT, "refinement round %d on a quadratic did not shrink the step left "
                    + "(||H^-1 g|| %.3g, before it %.3g): undone, the point before it kept", rounds, m[0], before));
            return;
        }
        double rho = roundingLevel(problem, m);
        String after = String.format(Locale.ROOT, "after %d round%s of refinement on a quadratic, ||H^-1 g|| = %.3g",
                rounds, rounds == 1 ? "" : "s", m[0]);
        if (m[0] <= rho) {
            converge(String.format(Locale.ROOT, "%s is within its rounding level %.3g (condition estimate %.3g)", after,
                    rho, refineInfo.conditionEstimate()));
        } else if (m[0] > before / 2) {
            converge(String.format(Locale.ROOT, "%s shrank by less than half (from %.3g): refinement converges too "
                    + "slowly to pay (condition estimate %.3g)", after, before, refineInfo.conditionEstimate()));
        } else if (rounds >= MAX_ROUNDS) {
            converge(String.format(Locale.ROOT, "%s, above its rounding level %.3g: at most %d rounds", after, rho,
                    MAX_ROUNDS));
        } else {
            refining = true;
            pendingNorm = m[0];
        }
    }

    /**
     * Loss and gradient at the parameters, c = H^-1 g with the current factor into {@link #correction},
     * then {||c||, ||w||, f} in one host read.
     */
    private double[] measure(Problem problem) {
        measuredSlot = problem.gradient();
        chol.solve(problem.grad(), correction);
        reduction.dot(correction, correction, scalars, 0, Phase.UPDATE);
        reduction.dot(problem.params(), problem.params(), scalars, 1, Phase.UPDATE);
        scalars.copyRange(problem.losses(), measuredSlot, 2, 1, Phase.UPDATE);
        double[] v = scalars.read(0, 3);
        return new double[]{Math.sqrt(v[0]), Math.sqrt(v[1]), v[2]};
    }

    /** rho = u (p + sqrt(kappa)) (||w|| + sqrt(2 |f| / ||H||)) of the class comment, from {||c||, ||w||, f}. */
    private double roundingLevel(Problem problem, double[] m) {
        double u = problem.precision().unitRoundoff();
        double normH = Math.max(refineInfo.norm(), refineInfo.maxDiagonal());
        double spread = normH > 0 && Double.isFinite(m[2]) ? Math.sqrt(2 * Math.abs(m[2]) / normH) : 0;
        return u * (problem.size() + Math.sqrt(refineInfo.conditionEstimate())) * (m[1] + spread);
    }

    /** Reads the factorisation's info (one host read) and keeps it as {@link #lastInfo()}. */
    protected Cholesky.Info readInfo() {
        lastInfo = chol.readInfo();
        return lastInfo;
    }

    /** The info of the last factorisation read, or null before the first step. */
    public Cholesky.Info lastInfo() {
        return lastInfo;
    }

    /** Warns (once per kind) when the condition estimate makes the working precision unreliable. */
    protected void checkCondition(Cholesky.Info info, Precision precision, long step, String what) {
        double kappa = info.conditionEstimate();
        double u = precision.unitRoundoff();
        if (kappa * u >= UNRELIABLE) {
            double digits = Math.max(0, -Math.log10(kappa * u));
            String advice = precision == Precision.FP32
                    ? "use --precision fp64, standardise the features" + (refine ? "" : ", or refine=true")
                    : "standardise or remove nearly collinear features, or add an L2 penalty";
            log.add("condition", step, String.format(Locale.ROOT, "%s: condition estimate of %s %.2g: in %s (u = %.1e) "
                    + "the Newton step may have as few as %.0f correct digit%s; %s", name(), what, kappa, precision.label(), u,
                    Math.floor(digits), Math.floor(digits) == 1 ? "" : "s", advice));
        }
    }

    /** "parameter 'x3' (index 3)" for linear models, "parameter 3" otherwise. */
    protected String parameterName(int j) {
        if (names != null && j >= 0 && j < names.length) {
            return "parameter '" + names[j] + "' (index " + j + ")";
        }
        return "parameter " + j;
    }

    @Override
    public List<String> warnings() {
        return log.lines();
    }

    private void release() {
        if (chol != null) chol.close();
        for (DeviceArray a : new DeviceArray[]{hessian, direction, residual, correction, scalars, previous}) {
            if (a != null) a.close();
        }
        if (reduction != null) reduction.close();
        reduction = null;
        chol = null;
        hessian = direction = residual = correction = scalars = previous = null;
        refining = false;
    }

    @Override
    public void close() {
        super.close();
        release();
    }
}
