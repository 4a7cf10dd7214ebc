package io.descent.objective;

import io.descent.UsageException;
import io.descent.cl.DeviceInfo;
import io.descent.cl.Precision;

/**
 * How {@code opencl/mlp.cl} spreads rows over the device: each work-item owns {@code vec} consecutive
 * rows as one explicit vector (a SIMD lane per row on a CPU), a work-group of {@code workGroup} items
 * owns a tile of {@code vec * workGroup} rows, and at most {@code maxGroups} work-groups share the
 * tiles (each adds its own row of partial sums, so this also bounds the partial-sum buffers).
 *
 * @param vec       rows per work-item: 1, 2, 4, 8 or 16 (the kernel's VEC)
 * @param workGroup work-items per group, a power of two (the kernel's WGS)
 * @param maxGroups most work-groups per launch
 */
public record MlpTuning(int vec, int workGroup, int maxGroups) {
    /** Local memory kept free beside the tiles (the reduction scratch and the driver's own use). */
    private static final long LOCAL_SLACK = 4096;

    public MlpTuning {
        if (vec != 1 && vec != 2 && vec != 4 && vec != 8 && vec != 16) {
            throw new IllegalArgumentException("rows per work-item " + vec + ": 1, 2, 4, 8 or 16");
        }
        if (workGroup < 1 || Integer.bitCount(workGroup) != 1) {
            throw new IllegalArgumentException("work-group size " + workGroup + ": a power of two");
        }
        if (maxGroups < 1) {
            throw new IllegalArgumentException("work-groups " + maxGroups + ": at least 1");
        }
    }

    /** Rows per tile. */
    public int tile() {
        return vec * workGroup;
    }

    /**
     * Local memory the Hessian-vector kernel needs: four [feature][tile] tables (inputs, deltas and
     * their R-versions) of {@code precision} values.
     */
    public long localBytes(MlpSpec spec, Precision precision) {
        return (long) tile() * 2 * (spec.sumIn() + spec.sumOut()) * precision.bytes();
    }

    /**
     * Defaults measured on PoCL (CPU): 16 float32 or 8 float64 rows per work-item (one AVX-512
     * register), 8 work-items per group, up to 4 groups per compute unit. On a GPU: one row per work-item,
     * 64 per group, 8 groups per compute unit. The tile shrinks (work-group first) until the four
     * local tables fit the device's local memory.
     */
    public static MlpTuning forDevice(DeviceInfo device, Precision precision, MlpSpec spec) {
        boolean gpu = device.isGpu();
        int vec = gpu ? 1 : (precision == Precision.FP32 ? 16 : 8);
        int wg = gpu ? 64 : 8;
        int groups = Math.max(1, device.computeUnits()) * (gpu ? 8 : 4);
        wg = (int) Math.min(wg, Long.highestOneBit(Math.max(1, device.maxWorkGroupSize())));
        MlpTuning t = new MlpTuning(vec, wg, groups);
        long budget = device.localMemory() - LOCAL_SLACK;
        while (t.localBytes(spec, precision) > budget && (t.workGroup > 1 || t.vec > 1)) {
            t = t.workGroup > 1 ? new MlpTuning(t.vec, t.workGroup / 2, groups) : new MlpTuning(t.vec / 2, 1, groups);
        }
        if (t.localBytes(spec, precision) > budget) {
            throw new UsageException("network " + spec.describe() + " needs " + t.localBytes(spec, precision)
                    + " bytes of local memory per row, more than device '" + device.name() + "' has ("
                    + device.localMemory() + "): use narrower layers");
        }
        return t;
    }
}
