package io.descent.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a run recorded: one row per recorded step. */
public final class History {
    /**
     * One recorded step.
     *
     * @param step      steps completed (1 after the first step)
     * @param loss      the loss the step computed at its gradient point (before its update, as a
     *                  PyTorch loop records loss.item() before optimizer.step())
     * @param wallS     wall time from the run's start to the end of the step on the device (its
     *                  profiling timestamp), less program builds, in seconds
     * @param deviceS   device time of all the run's commands up to and including the step, in seconds
     * @param gradients gradient evaluations so far
     * @param losses    forward-only loss evaluations so far
     * @param hessians  Hessians and Hessian-vector products so far
     */
    public record Row(long step, double loss, double wallS, double deviceS, long gradients, long losses, long hessians) {
    }

    /**
     * The loss on held-out rows of the parameters after step {@code step}, evaluated on the device with
     * the step and read back with its training loss; for a classifier also the share of those rows it
     * classifies right ({@code accuracy}, NaN for a regression).
     */
    public record Validation(long step, double loss, double accuracy) {
        public Validation(long step, double loss) {
            this(step, loss, Double.NaN);
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<Validation> validation = new ArrayList<>();

    public void addValidation(long step, double loss) {
        addValidation(step, loss, Double.NaN);
    }

    public void addValidation(long step, double loss, double accuracy) {
        validation.add(new Validation(step, loss, accuracy));
    }

    /** Whether the validation records hold accuracies (a classifier's). */
    public boolean hasAccuracy() {
        return !validation.isEmpty() && !Double.isNaN(validation.get(validation.size() - 1).accuracy());
    }

    /** The validation losses recorded, oldest first (empty without validation data). */
    public List<Validation> validation() {
        return Collections.unmodifiableList(validation);
    }

    public void add(Row r) {
        rows.add(r);
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public Row last() {
        return rows.get(rows.size() - 1);
    }
}
