package io.descent.objective;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.profile.Phase;

import java.util.Map;
import java.util.TreeMap;

/**
 * The loss, gradient, Hessian-vector product and losses along a direction of a {@link LinearModel}
 * with {@code WIDE_FROM} or more parameters ({@code opencl/wide.cl}): a pass over the rows, then
 * one over the columns, where linear.cl's fused kernels would keep an accumulator per parameter in
 * every work-item. Device memory grows with the rows (one or two values per row), not with rows
 * times groups times parameters.
 */
final class WidePasses implements AutoCloseable {
    private final ClRuntime runtime;
    /** Work-groups of the columns pass per work-group of the row passes (the data kernels' count). */
    static final int COLUMN_GROUPS_PER_DATA_GROUP = 8;
    private final RowSelection selection;
    private final Program program;
    private final Precision precision;
    private final int p;
    private final int wgs;
    private final int maxGroups;
    private final double alpha;
    private final DeviceArray partial;
    private final DeviceArray sums;
    private DeviceArray weight;
    private DeviceArray z;
    private DeviceArray q;

    WidePasses(ClRuntime runtime, RowSelection selection, Precision precision, Precision acc, int p,
               boolean intercept, int model, double alpha) {
        this.runtime = runtime;
        this.selection = selection;
        this.precision = precision;
        this.p = p;
        this.alpha = alpha;
        this.wgs = runtime.workGroupSize();
        this.maxGroups = runtime.dataGroups();
        Map<String, String> d = new TreeMap<>();
        d.put("INTERCEPT", intercept ? "1" : "0");
        d.put("MODEL", Integer.toString(model));
        d.put("MAX_STEPS", Integer.toString(Objective.MAX_STEPS));
        d.put("ACC_PRECISION", Integer.toString(acc.bits()));
        this.program = runtime.program("wide.cl", precision, d);
        this.partial = runtime.allocate(acc, (long) maxGroups * Objective.MAX_STEPS);
        this.sums = runtime.allocate(acc, Math.max(p + 1, Objective.MAX_STEPS));
    }

    /** Groups of the row kernels: enough to fill the device, none without rows. */
    private int groups() {
        return selection.groups(wgs, maxGroups);
    }

    /** A per-row array (of the data's precision) of at least the selection's rows (a batch drawn with replacement may exceed the data's). */
    private DeviceArray rows(DeviceArray a) {
        int n = Math.max(1, selection.count());
        if (a != null && a.length() >= n) return a;
        if (a != null) a.close();
        return runtime.allocate(precision, n);
    }

    /** The rows pass: the loss's group sums into sums[0], and by {@code what} (1: l', 2: l'' x.v) the row weights. */
    private void rowsPass(Phase phase, DeviceArray w, DeviceArray v, int what) {
        weight = rows(weight);
        if (what == 2) q = rows(q); // x . v between the panels of columns
        int g = groups();
        program.kernel("wide_rows").args(selection.kernelArgs(p, w, v, what, weight, what == 2 ? q : weight, partial))
                .launch(phase, (long) g * wgs, wgs);
        if (what != 2) {
            program.kernel("reduce_columns").args(g, 1, partial, sums).launch(phase, wgs, wgs);
        }
    }

    private void columnsPass(Phase phase, int offset) {
        // the groups take parameters in turn: enough to fill the device many times, not one per parameter
        long groups = Math.min(p, (long) maxGroups * COLUMN_GROUPS_PER_DATA_GROUP);
        program.kernel("wide_columns").args(selection.kernelArgs(p, weight, sums, offset))
                .launch(phase, groups * wgs, wgs);
    }

    void loss(DeviceArray w, DeviceArray out, int index) {
        rowsPass(Phase.LOSS, w, w, 0);
        finishLoss(Phase.LOSS, w, out, index);
    }

    void lossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        rowsPass(Phase.GRADIENT, w, w, 1);
        columnsPass(Phase.GRADIENT, 1);
        program.kernel("wide_finish_vector").args(sums, 1, selection.count(), alpha, p, w, grad)
                .launch(Phase.GRADIENT, p, 0);
        finishLoss(Phase.GRADIENT, w, out, index);
    }

    void hessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        rowsPass(Phase.HESSIAN, w, v, 2);
        columnsPass(Phase.HESSIAN, 0);
        program.kernel("wide_finish_vector").args(sums, 0, selection.count(), alpha, p, v, hv)
                .launch(Phase.HESSIAN, p, 0);
    }

    void losses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        z = rows(z);
        q = rows(q);
        int g = groups();
        program.kernel("wide_margins").args(selection.kernelArgs(p, w, direction, z, q))
                .launch(Phase.LOSS, (long) g * wgs, wgs);
        program.kernel("wide_losses").args(selection.kernelArgs(z, q, steps, m, partial))
                .launch(Phase.LOSS, (long) g * wgs, wgs);
        program.kernel("reduce_columns").args(g, m, partial, sums).launch(Phase.LOSS, (long) m * wgs, wgs);
        program.kernel("wide_finish_losses").args(sums, selection.count(), alpha, p, w, direction, steps, out)
                .launch(Phase.LOSS, (long) m * wgs, wgs);
    }

    private void finishLoss(Phase phase, DeviceArray w, DeviceArray out, int index) {
        program.kernel("wide_finish_loss").args(sums, selection.count(), alpha, p, w, out, index)
                .launch(phase, wgs, wgs);
    }

    @Override
    public void close() {
        partial.close();
        sums.close();
        for (DeviceArray a : new DeviceArray[]{weight, z, q}) {
            if (a != null) a.close();
        }
    }
}
