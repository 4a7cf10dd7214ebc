package io.descent.linalg;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Kernel;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.profile.Phase;

import java.util.Map;

/**
 * Sum and dot product of device arrays by a two-stage tree reduction ({@code opencl/common.cl}):
 * stage 1 runs {@link #groupsFor(long)} work-groups, each leaving one partial sum; stage 2 adds the
 * partials in one work-group. The result stays on the device unless asked for.
 *
 * <p>Error bound: each input passes through at most {@link #chainLength(long)} additions, so the
 * computed sum s of n values in the accumulator precision (unit roundoff u) satisfies
 * |s - sum x_i| <= chainLength(n) * u * sum |x_i| (to first order; plus u per term for products of a
 * dot product formed in float32).
 */
public final class Reduction implements AutoCloseable {
    /** Most work-groups of stage 1: enough to fill a GPU, few enough for one stage-2 group. */
    static final int MAX_GROUPS = 1024;

    private final ClRuntime runtime;
    private final Precision data;
    private final Precision accumulator;
    private final Program program;
    private final int wgs;
    private final DeviceArray partial;

    /** Reduces {@code data} arrays, accumulating in the same precision. */
    public Reduction(ClRuntime runtime, Precision data) {
        this(runtime, data, data);
    }

    /**
     * Reduces {@code data} arrays, accumulating in {@code accumulator} (FP64 accumulation of FP32
     * data needs cl_khr_fp64).
     */
    public Reduction(ClRuntime runtime, Precision data, Precision accumulator) {
        this.runtime = runtime;
        this.data = data;
        this.accumulator = accumulator;
        accumulator.requireSupportedBy(runtime.device());
        this.program = runtime.program("common.cl", data, Map.of("ACC_PRECISION", Integer.toString(accumulator.bits())));
        this.wgs = runtime.workGroupSize();
        this.partial = runtime.allocate(accumulator, MAX_GROUPS);
    }

    /** Precision of results: the accumulator's. */
    public Precision accumulator() {
        return accumulator;
    }

    /** Stage-1 work-groups for n values: one per WGS values, at most {@link #MAX_GROUPS}. */
    public int groupsFor(long n) {
        return (int) Math.max(1, Math.min(MAX_GROUPS, (n + wgs - 1) / wgs));
    }

    /** Longest chain of additions any input goes through for n values (see the class comment). */
    public int chainLength(long n) {
        int groups = groupsFor(n);
        long perItem = (n + (long) groups * wgs - 1) / ((long) groups * wgs);
        long perItemStage2 = (groups + wgs - 1) / wgs;
        int levels = Integer.numberOfTrailingZeros(wgs);
        return (int) (perItem + levels + perItemStage2 + levels);
    }

    /** out[index] = sum of x, on the device, under {@code phase}. */
    public void sum(DeviceArray x, DeviceArray out, int index, Phase phase) {
        check(x, out, index);
        int groups = groupsFor(x.length());
        program.kernel("reduce_sum").args(x.length(), x, partial).launch(phase, (long) groups * wgs, wgs);
        finish(groups, out, index, phase);
    }

    /** out[index] = dot(x, y), on the device, under {@code phase}. */
    public void dot(DeviceArray x, DeviceArray y, DeviceArray out, int index, Phase phase) {
        check(x, out, index);
        if (y.length() != x.length() || y.precision() != data) {
            throw new IllegalArgumentException("dot of " + x.length() + " and " + y.length() + " values");
        }
        int groups = groupsFor(x.length());
        program.kernel("reduce_dot").args(x.length(), x, y, partial).launch(phase, (long) groups * wgs, wgs);
        finish(groups, out, index, phase);
    }

    /** Sum of x, read back to the host (one host read). */
    public double sum(DeviceArray x, Phase phase) {
        try (DeviceArray out = runtime.allocate(accumulator, 1)) {
            sum(x, out, 0, phase);
            return out.get(0);
        }
    }

    /** dot(x, y), read back to the host (one host read). */
    public double dot(DeviceArray x, DeviceArray y, Phase phase) {
        try (DeviceArray out = runtime.allocate(accumulator, 1)) {
            dot(x, y, out, 0, phase);
            return out.get(0);
        }
    }

    private void finish(int groups, DeviceArray out, int index, Phase phase) {
        Kernel k = program.kernel("reduce_partials");
        k.args(groups, partial, out, index).launch(phase, wgs, wgs);
    }

    private void check(DeviceArray x, DeviceArray out, int index) {
        if (x.precision() != data) {
            throw new IllegalArgumentException("reduction of " + data.label() + " data given " + x.precision().label());
        }
        if (out.precision() != accumulator || index < 0 || index >= out.length()) {
            throw new IllegalArgumentException("result slot " + index + " of " + out.length() + " "
                    + out.precision().label() + " values, need " + accumulator.label());
        }
    }

    @Override
    public void close() {
        partial.close();
    }
}
