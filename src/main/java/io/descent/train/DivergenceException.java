package io.descent.train;

import io.descent.DescentException;

/** A run stopped by the divergence guard. The CLI exits with code 4 after writing what it has. */
public class DivergenceException extends DescentException {
    public static final int EXIT_CODE = 4;

    private final long step;
    private final double loss;
    private History history = new History();

    public DivergenceException(long step, double loss, double learningRate, String why) {
        super(EXIT_CODE, String.format("diverged at step %d (loss %s, %s) with learning rate %g: lower --lr or pick "
                + "another optimizer; the last finite parameters are kept", step, loss, why, learningRate));
        this.step = step;
        this.loss = loss;
    }

    /** The step whose loss was not finite or grew past the guard's factor. */
    public long step() {
        return step;
    }

    public double loss() {
        return loss;
    }

    /** What the run recorded before it diverged. */
    public History history() {
        return history;
    }

    DivergenceException withHistory(History h) {
        this.history = h;
        return this;
    }
}
