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
        scalars = rt.allocate(precision, 2);
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
        try (PhaseTimer.Scope s = problem.runtime().timer().wall(Phase.UPDATE)) {
            problem.program("newton.cl").kernel("newton_step")
                    .args(problem.size(), problem.params(), direction, eta, chol.infoArray(), out)
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

    /** Marks the run converged after a full Newton step (eta = 1, positive definite H) on a quadratic. */
    protected boolean checkQuadratic(Problem problem, double eta, double lambda, Cholesky.Info info) {
        if (problem.objective().isQuadratic() && eta == 1 && lambda == 0 && info.ok() && info.negativePivots() == 0) {
            converge("a full Newton step minimises a quadratic exactly: the gradient is now at rounding level");
            return true;
        }
        return false;
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
        for (DeviceArray a : new DeviceArray[]{hessian, direction, residual, correction, scalars}) {
            if (a != null) a.close();
        }
        if (reduction != null) reduction.close();
        reduction = null;
        chol = null;
        hessian = direction = residual = correction = scalars = null;
    }

    @Override
    public void close() {
        super.close();
        release();
    }
}
