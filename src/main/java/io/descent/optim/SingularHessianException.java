package io.descent.optim;

import io.descent.DescentException;

/**
 * Pure Newton met a Hessian it cannot invert: a pivot of its factorisation was zero to working
 * precision. The parameters are those before the step. The CLI exits with code 4, as for a run the
 * divergence guard stops.
 */
public class SingularHessianException extends DescentException {
    public static final int EXIT_CODE = 4;

    private final long step;
    private final int pivot;

    public SingularHessianException(long step, int pivot, String parameter, double pivotValue) {
        super(EXIT_CODE, String.format("newton: at step %d the Hessian is singular to working precision (pivot %d, "
                + "%s, is %.3g): pure Newton cannot take H^-1 g; damped-newton adds lambda*I for this, or remove the "
                + "duplicate or constant feature; the parameters before the step are kept", step + 1, pivot, parameter,
                pivotValue));
        this.step = step;
        this.pivot = pivot;
    }

    /** The 0-based optimizer step that failed. */
    public long step() {
        return step;
    }

    /** The 0-based index of the failing pivot (a parameter index). */
    public int pivot() {
        return pivot;
    }
}
