package io.descent.optim;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.objective.Objective;

/**
 * One training run's device state: the objective, the parameters, a gradient buffer and a ring of
 * loss slots. Optimizers evaluate the objective only through this class (or through {@link
 * #objective()} with their own buffers), so every evaluation is timed and counted by its phase.
 *
 * <p>Losses stay on the device: each {@link #gradient()} writes f at the evaluated point into the
 * next slot of the ring and remembers it as {@link #lastLossSlot()}; a trainer reads slots when its
 * history needs them, in batches, so recording does not make the host wait every step. The ring
 * holds {@value #LOSS_SLOTS} values; whoever records must read before it wraps.
 */
public final class Problem implements AutoCloseable {
    public static final int LOSS_SLOTS = 4096;

    private final Objective objective;
    private final DeviceArray params;
    private final DeviceArray grad;
    private final DeviceArray losses;
    private long lossesWritten;
    private int lastLossSlot = -1;
    private int stepLossSlot = -1;
    private long step;

    /** Uploads {@code initial} as the parameters of {@code objective}. */
    public Problem(Objective objective, double[] initial) {
        if (initial.length != objective.parameterCount()) {
            throw new IllegalArgumentException(objective.name() + " has " + objective.parameterCount()
                    + " parameters, initial values have " + initial.length);
        }
        this.objective = objective;
        ClRuntime rt = objective.runtime();
        Precision p = objective.precision();
        this.params = rt.upload(p, initial);
        this.grad = rt.allocate(p, initial.length);
        this.losses = rt.allocate(p, LOSS_SLOTS);
    }

    public Objective objective() {
        return objective;
    }

    public ClRuntime runtime() {
        return objective.runtime();
    }

    public Precision precision() {
        return objective.precision();
    }

    /** Number of parameters. */
    public int size() {
        return objective.parameterCount();
    }

    /** {@code opencl/<file>} built for this problem's device and precision (cached). */
    public Program program(String file) {
        return runtime().program(file, precision());
    }

    public DeviceArray params() {
        return params;
    }

    /** The gradient of the last {@link #gradient()} or {@link #gradientAt} call. */
    public DeviceArray grad() {
        return grad;
    }

    /** Loss and gradient at the parameters; the loss goes to the next ring slot, whose index is returned. */
    public int gradient() {
        return gradientAt(params);
    }

    /** Loss and gradient at another point of the same size (e.g. Nesterov's look-ahead). */
    public int gradientAt(DeviceArray point) {
        int slot = nextSlot();
        objective.lossAndGradient(point, grad, losses, slot);
        return slot;
    }

    /** Forward-only loss at {@code point} into the next ring slot, whose index is returned. */
    public int lossAt(DeviceArray point) {
        int slot = nextSlot();
        objective.loss(point, losses, slot);
        return slot;
    }

    /**
     * Reserves the next ring slot for a loss the caller writes there itself, and returns it; it
     * counts as the step's first loss. For a method whose previous step already evaluated the loss
     * at the current parameters (L-BFGS's line search ends with the loss and gradient at the new
     * point), so that recording it costs a copy, not another evaluation.
     */
    public int reserveSlot() {
        return nextSlot();
    }

    private int nextSlot() {
        lastLossSlot = (int) (lossesWritten++ % LOSS_SLOTS);
        if (stepLossSlot < 0) {
            stepLossSlot = lastLossSlot;
        }
        return lastLossSlot;
    }

    /** Marks the start of a step: its first evaluation becomes {@link #stepLossSlot()}. */
    public void beginStep() {
        stepLossSlot = -1;
    }

    /**
     * Slot of the first loss the current step wrote: the loss at the parameters the step started
     * from (for every method that evaluates there first; Nesterov's is at its look-ahead point).
     */
    public int stepLossSlot() {
        return stepLossSlot;
    }

    /** Slot of the most recent loss written, or -1 before any. */
    public int lastLossSlot() {
        return lastLossSlot;
    }

    /** Losses written so far (the ring position). */
    public long lossesWritten() {
        return lossesWritten;
    }

    /** The ring of loss slots. */
    public DeviceArray losses() {
        return losses;
    }

    /** One loss read back (a host read: the host waits for the queue). */
    public double readLoss(int slot) {
        return losses.get(slot);
    }

    /** Parameters read back. */
    public double[] readParams() {
        return params.read();
    }

    /** Optimizer steps completed; the trainer advances it after each step. */
    public long step() {
        return step;
    }

    public void advance() {
        step++;
    }

    /** Sets the step counter (resuming from a checkpoint). */
    public void setStep(long value) {
        step = value;
    }

    @Override
    public void close() {
        params.close();
        grad.close();
        losses.close();
    }
}
