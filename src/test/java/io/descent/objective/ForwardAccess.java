package io.descent.objective;

import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;

/** {@link Forward} with a cap on the rows per block, for tests outside this package (the kernel exercise). */
public final class ForwardAccess {
    private ForwardAccess() {
    }

    public static Forward linear(ClRuntime rt, Precision p, int cols, boolean intercept, int blockRows) {
        return Forward.linear(rt, p, cols, intercept).limitBlock(blockRows);
    }

    /** A network that gathers mini-batch rows from the column-major X (where no row-major copy fits). */
    public static Network gatherFromColumns(Network n) {
        n.gatherFromColumns();
        return n;
    }

    public static Forward mlp(ClRuntime rt, Precision p, MlpSpec spec, int blockRows) {
        return Forward.mlp(rt, p, spec).limitBlock(blockRows);
    }
}
