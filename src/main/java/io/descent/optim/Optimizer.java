package io.descent.optim;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An optimizer: explicit state on the device, {@link #init} once, then {@link #step} per training
 * step (in the spirit of optax's init/update). A step evaluates the objective through the {@link
 * Problem} (so the gradient is timed under {@code gradient}, forward passes under {@code loss}) and
 * updates the parameters with its own kernels under {@code update}; nothing leaves the device unless
 * the method needs a scalar on the host to decide something (a line search), and then each read is
 * counted.
 *
 * <p>Subclasses validate their hyper-parameters in the constructor with {@link #require} (a user
 * error naming the value), keep their defaults in one place, state the exact update rule and its
 * source in their Javadoc, and list their hyper-parameters in {@link #hyperParameters()}.
 */
public abstract class Optimizer implements AutoCloseable {
    private final double learningRate;
    private Schedule schedule = Schedule.CONSTANT;

    protected Optimizer(double learningRate) {
        require(learningRate > 0 && Double.isFinite(learningRate), "lr", learningRate, "must be a finite number > 0");
        this.learningRate = learningRate;
    }

    /** Name used on the command line, e.g. "adam". */
    public abstract String name();

    /** Hyper-parameters by name, in a stable order (the base learning rate first). */
    public Map<String, Object> hyperParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", learningRate);
        if (schedule != Schedule.CONSTANT) {
            m.put("schedule", schedule.toString());
        }
        return m;
    }

    /** Allocates the optimizer's state for this problem (zeros) and resets its counters. */
    public abstract void init(Problem problem);

    /** One step from the problem's current parameters. */
    public abstract void step(Problem problem);

    private String converged;

    /**
     * Why the last step found the run converged, or null: a second-order method knows when the
     * remaining decrease is below the loss's rounding. The trainer then stops with the reason
     * "converged" and this text.
     */
    public String converged() {
        return converged;
    }

    /** Marks the run converged at this step, for the reason {@code why}. */
    protected void converge(String why) {
        converged = why;
    }

    /** Clears the mark (a new run). */
    protected void clearConvergence() {
        converged = null;
    }

    /** Device arrays of state, by name, for checkpoints (parameters are not included). */
    public Map<String, DeviceArray> stateArrays() {
        return Map.of();
    }

    /** Host-side state (step counters, histories' lengths, RNG positions) for checkpoints. */
    public Map<String, Double> stateScalars() {
        return Map.of();
    }

    /** Restores host-side state saved by {@link #stateScalars()}. */
    public void restoreScalars(Map<String, Double> values) {
    }

    /** The base learning rate. */
    public double learningRate() {
        return learningRate;
    }

    /** The learning rate of step t under the schedule. */
    public double learningRate(long t) {
        return schedule.rate(learningRate, t);
    }

    public Optimizer withSchedule(Schedule s) {
        this.schedule = s;
        return this;
    }

    public Schedule schedule() {
        return schedule;
    }

    @Override
    public void close() {
        for (DeviceArray a : stateArrays().values()) {
            a.close();
        }
    }

    @Override
    public String toString() {
        return name() + "(" + hyperParameters().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }

    /** Throws a user error "NAME: KEY = VALUE WHY" unless {@code ok}. */
    protected final void require(boolean ok, String key, Object value, String why) {
        if (!ok) {
            throw new UsageException(getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + ": " + key + " = "
                    + value + " " + why);
        }
    }
}
