package io.descent.data;

import io.descent.UsageException;

/**
 * Data that float32 cannot hold: a finite value beyond ±3.4e38 would reach the device as ±Inf and
 * show up as a divergence or a singular Hessian. Refused before the upload, naming the column.
 */
public final class Float32Range {
    private Float32Range() {
    }

    /** Every value of {@code d} fits float32, or a user error naming the first column that does not. */
    public static void check(Dataset d) {
        double[] x = d.x(), y = d.y();
        int k = d.cols();
        for (int i = 0; i < x.length; i++) {
            if (beyond(x[i])) throw refuse(d.name(), "column '" + d.columns().get(i % k) + "'", x[i], i / k);
        }
        for (int i = 0; i < y.length; i++) {
            if (beyond(y[i])) throw refuse(d.name(), "the target" + (d.target() == null ? "" : " '" + d.target() + "'"), y[i], i);
        }
    }

    static boolean beyond(double v) {
        return Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE;
    }

    static UsageException refuse(String what, String column, double v, long row) {
        return new UsageException(what + ": " + column + " holds " + v + " (row " + (row + 1) + "), beyond float32's range"
                + " (" + Float.MAX_VALUE + "): train with --precision fp64, or scale that column (--standardize)");
    }
}
