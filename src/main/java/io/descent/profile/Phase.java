package io.descent.profile;

import java.util.Locale;

/**
 * What a piece of device work is for. Every kernel launch and transfer is enqueued under one phase,
 * so a run's time splits into the cost of the gradient and everything an optimizer adds.
 */
public enum Phase {
    /** Forward pass only: the loss, or losses at many step sizes (line searches, KeepStepping). */
    LOSS,
    /** Forward and backward pass: loss and gradient together. */
    GRADIENT,
    /** Hessian assembly or Hessian-vector products. */
    HESSIAN,
    /** Cholesky factorisation and triangular solves. */
    SOLVE,
    /** The optimizer's own kernels: the parameter and state update. */
    UPDATE,
    /**
     * The trainer's recording, the same for every method: a copy of the parameters per step (so a
     * stop found in a batch of losses read at once returns that step's parameters), the gradient
     * norm per step for {@code --grad-tol}, and step markers for timing.
     */
    RECORD,
    /** Host to device and device to host copies. */
    TRANSFER,
    /**
     * Spark: broadcasting the parameters to the executors and aggregating their partial sums, that
     * is the wall time of each round trip less the slowest task's own evaluation (which is booked
     * to the evaluation's phase).
     */
    CLUSTER,
    /**
     * Program builds: host time only, never inside another phase's wall time (a build during a
     * step's first launch is booked here, not to the optimizer).
     */
    BUILD;

    /** Lower-case name used in tables, CSV and JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
