package io.descent.optim;

import java.util.List;

/**
 * An optimizer that can tell the user something went numerically wrong without stopping: a
 * Hessian that is not positive definite, a condition number that makes a float32 solve
 * unreliable. The CLI prints {@link #warnings()} after a run (and the benchmark records them);
 * each kind of warning appears once, with the steps it happened at.
 */
public interface Warnings {
    /** One line per kind of warning, in the order they first happened; empty when all went well. */
    List<String> warnings();
}
