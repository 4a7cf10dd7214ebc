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

    public static Forward mlp(ClRuntime rt, Precision p, MlpSpec spec, int blockRows) {
        return Forward.mlp(rt, p, spec).limitBlock(blockRows);
    }
}
