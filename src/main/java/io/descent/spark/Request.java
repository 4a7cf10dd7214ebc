package io.descent.spark;

import java.io.Serializable;

/**
 * One evaluation the driver asks of every partition, broadcast once per evaluation: what to compute
 * and at which parameters (plus the vector of a Hessian-vector product, or the direction and step
 * sizes of a line search's losses).
 */
record Request(Kind kind, double[] w, double[] v, double[] steps, int m) implements Serializable {
    enum Kind {
        LOSS, GRADIENT, HESSIAN, HESSIAN_VECTOR, LOSSES
    }

    /** Values a partition returns after the header: scalars, then a vector, then a packed triangle. */
    int values(int p) {
        return switch (kind) {
            case LOSS -> 1;
            case GRADIENT -> 1 + p;
            case HESSIAN -> p * (p + 1) / 2;
            case HESSIAN_VECTOR -> p;
            case LOSSES -> m;
        };
    }
}
