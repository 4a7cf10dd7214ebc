package io.descent.objective;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;

import java.util.Random;

/**
 * A differentiable function of one flat parameter vector w of length p, evaluated on the device.
 *
 * <p>Every call enqueues device work without waiting for it and leaves its result on the device:
 * scalars (losses) go to a slot of a caller's array, so a loop can keep many of them on the device
 * and read them at once. Each call runs under its {@link Phase} (loss, gradient, hessian) and is
 * counted; subclasses implement the {@code enqueue*} methods and never touch a timer or a counter.
 *
 * <p>Arrays passed in must have the objective's precision; a loss slot array too.
 */
public abstract class Objective implements AutoCloseable {
    /** Most step sizes one {@link #losses} call evaluates. */
    public static final int MAX_STEPS = 64;

    /** What the counters count. */
    public enum Count {
        /** Forward-only evaluations of the loss; a {@link #losses} call over m steps counts m. */
        LOSS,
        /** Loss-and-gradient evaluations (forward + backward). */
        GRADIENT,
        /** Dense Hessian assemblies. */
        HESSIAN,
        /** Hessian-vector products. */
        HESSIAN_VECTOR
    }

    protected final ClRuntime runtime;
    protected final Precision precision;
    private final long[] counts = new long[Count.values().length];

    protected Objective(ClRuntime runtime, Precision precision) {
        precision.requireSupportedBy(runtime.device());
        this.runtime = runtime;
        this.precision = precision;
    }

    /** Short description, e.g. "linear regression (11 parameters, 1000000 rows)". */
    public abstract String name();

    /** Number of parameters p. */
    public abstract int parameterCount();

    public Precision precision() {
        return precision;
    }

    public ClRuntime runtime() {
        return runtime;
    }

    /** Starting parameters for a seeded run (zeros unless the model needs symmetry broken). */
    /**
     * The objective that describes the model: this one, or for an objective that evaluates another
     * over blocks of rows (streamed, or split across devices) one of those blocks' objectives.
     * Callers that need the model's kind and names (intercept, columns, network shape) ask it;
     * every evaluation goes through this objective.
     */
    public Objective model() {
        return this;
    }

    /**
     * Whether the objective is a quadratic in the parameters (least squares, a quadratic test
     * function), so that one full Newton step from anywhere reaches its minimum.
     */
    public boolean isQuadratic() {
        return false;
    }

    /**
     * Whether evaluations leave this host (a Spark cluster's executors): a run is then not
     * rehearsed ({@link io.descent.train.Run.Rehearsal}), since each rehearsed step would cost cluster
     * rounds, and the executors compile their own kernels at their first evaluation whatever the driver does.
     */
    public boolean remote() {
        return false;
    }

    /**
     * The L2 penalty alpha the objective adds: alpha ||w||^2 of a linear or logistic model's
     * coefficients, alpha ||W||^2 of a network's weights; 0 for none (a test function). An objective
     * over blocks of rows answers through {@link #model()}.
     */
    public double alpha() {
        return 0;
    }

    public double[] initialParameters(Random random) {
        return new double[parameterCount()];
    }

    /** out[index] = f(w). */
    public final void loss(DeviceArray w, DeviceArray out, int index) {
        checkParams(w);
        checkSlot(out, index, 1);
        try (PhaseTimer.Scope s = runtime.timer().wall(Phase.LOSS)) {
            counts[Count.LOSS.ordinal()]++;
            enqueueLoss(w, out, index);
        }
    }

    /** out[index] = f(w) and grad = gradient of f at w, in one pass over the data. */
    public final void lossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        checkParams(w);
        checkVector(grad, "gradient");
        checkSlot(out, index, 1);
        try (PhaseTimer.Scope s = runtime.timer().wall(Phase.GRADIENT)) {
            counts[Count.GRADIENT.ordinal()]++;
            enqueueLossAndGradient(w, grad, out, index);
        }
    }

    /** h = the dense p x p Hessian at w, row-major and symmetric. */
    public final void hessian(DeviceArray w, DeviceArray h) {
        checkParams(w);
        int p = parameterCount();
        if (h.precision() != precision || h.length() < (long) p * p) {
            throw new IllegalArgumentException("Hessian needs " + p + " x " + p + " " + precision.label()
                    + " values, got " + h.length() + " " + h.precision().label());
        }
        try (PhaseTimer.Scope s = runtime.timer().wall(Phase.HESSIAN)) {
            counts[Count.HESSIAN.ordinal()]++;
            enqueueHessian(w, h);
        }
    }

    /** hv = H(w) v, the Hessian at w times v, without forming H. */
    public final void hessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        checkParams(w);
        checkVector(v, "vector");
        checkVector(hv, "Hessian-vector product");
        try (PhaseTimer.Scope s = runtime.timer().wall(Phase.HESSIAN)) {
            counts[Count.HESSIAN_VECTOR.ordinal()]++;
            enqueueHessianVector(w, v, hv);
        }
    }

    /**
     * out[j] = f(w + steps[j] * direction) for j < m, in one launch over the data: a line search's
     * candidates at the price of about one forward pass.
     */
    public final void losses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        checkParams(w);
        checkVector(direction, "direction");
        if (m < 1 || m > MAX_STEPS) {
            throw new IllegalArgumentException("losses at " + m + " step sizes: between 1 and " + MAX_STEPS);
        }
        checkSlot(steps, 0, m);
        checkSlot(out, 0, m);
        try (PhaseTimer.Scope s = runtime.timer().wall(Phase.LOSS)) {
            counts[Count.LOSS.ordinal()] += m;
            enqueueLosses(w, direction, steps, m, out);
        }
    }

    /** f(w) read back to the host (one host read). */
    public double loss(DeviceArray w) {
        try (DeviceArray out = runtime.allocate(precision, 1)) {
            loss(w, out, 0);
            return out.get(0);
        }
    }

    /** f(w) read back to the host, grad left on the device (one host read). */
    public double lossAndGradient(DeviceArray w, DeviceArray grad) {
        try (DeviceArray out = runtime.allocate(precision, 1)) {
            lossAndGradient(w, grad, out, 0);
            return out.get(0);
        }
    }

    /** How many evaluations of a kind were made. */
    public long count(Count c) {
        return counts[c.ordinal()];
    }

    protected abstract void enqueueLoss(DeviceArray w, DeviceArray out, int index);

    protected abstract void enqueueLossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index);

    protected abstract void enqueueHessian(DeviceArray w, DeviceArray h);

    protected abstract void enqueueHessianVector(DeviceArray w, DeviceArray v, DeviceArray hv);

    protected abstract void enqueueLosses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m,
                                          DeviceArray out);

    /** Releases the objective's own device memory (not the data set it was given). */
    @Override
    public void close() {
    }

    private void checkParams(DeviceArray w) {
        checkVector(w, "parameters");
    }

    private void checkVector(DeviceArray a, String what) {
        if (a.precision() != precision || a.length() != parameterCount()) {
            throw new IllegalArgumentException(name() + ": " + what + " must be " + parameterCount() + " "
                    + precision.label() + " values, got " + a.length() + " " + a.precision().label());
        }
    }

    private void checkSlot(DeviceArray a, int index, int count) {
        if (a.precision() != precision || index < 0 || index + count > a.length()) {
            throw new IllegalArgumentException(name() + ": slots [" + index + ", " + (index + count) + ") of "
                    + a.length() + " " + a.precision().label() + " values (need " + precision.label() + ")");
        }
    }
}
