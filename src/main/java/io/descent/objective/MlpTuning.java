package io.descent.objective;

import io.descent.UsageException;
import io.descent.cl.DeviceInfo;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Precision;

/**
 * How {@code opencl/mlp.cl} spreads rows over the device: a work-item handles {@code vec} consecutive
 * rows as one explicit vector (a SIMD lane per row on a CPU), {@code chunks} such vectors per tile; a
 * work-group of {@code workGroup} items owns a tile of {@code vec * chunks * workGroup} rows (their
 * per-layer values sit in local memory between the row pass and the parameter sums), and at most
 * {@code maxGroups} work-groups share the tiles (each adds its own row of partial sums, so this also
 * bounds the partial-sum buffers).
 *
 * @param vec       rows per vector: 1, 2, 4, 8 or 16 (the kernel's VEC)
 * @param workGroup work-items per group, a power of two (the kernel's WGS)
 * @param chunks    row vectors per work-item and tile (the kernel's CHUNKS)
 * @param maxGroups most work-groups per launch
 */
public record MlpTuning(int vec, int workGroup, int chunks, int maxGroups) {
    /** Local memory kept free beside the tiles (the reduction scratch and the driver's own use). */
    private static final long LOCAL_SLACK = 4096;
    /** Most bytes of private gradient sums per work-item on a CPU (a 4141-parameter network uses 265 KB). */
    static final long PRIVATE_BUDGET = 512 * 1024;

    public MlpTuning {
        if (vec != 1 && vec != 2 && vec != 4 && vec != 8 && vec != 16) {
            throw new IllegalArgumentException("rows per work-item " + vec + ": 1, 2, 4, 8 or 16");
        }
        if (workGroup < 1 || Integer.bitCount(workGroup) != 1) {
            throw new IllegalArgumentException("work-group size " + workGroup + ": a power of two");
        }
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks " + chunks + ": at least 1");
        }
        if (maxGroups < 1) {
            throw new IllegalArgumentException("work-groups " + maxGroups + ": at least 1");
        }
    }

    /** Rows per tile. */
    public int tile() {
        return vec * workGroup * chunks;
    }

    /**
     * Local memory the Hessian-vector kernel needs: four [feature][tile] tables (inputs, deltas and
     * their R-versions) of {@code precision} values.
     */
    public long localBytes(MlpSpec spec, Precision precision) {
        return (long) tile() * 2 * (spec.sumIn() + spec.sumOut()) * precision.bytes();
    }

    /**
     * Defaults. On a CPU (measured on PoCL, 2 cores, AVX-512, seed 000's 10,000 x 20 network): one
     * 512-bit vector of rows (16 float32 or 8 float64), one work-item per group (PoCL runs a group's
     * items in turn on one thread, so more items only add barrier bookkeeping) with 16 vectors per tile,
     * 4 groups per compute unit. The group grows (and the chunks shrink, keeping the tile) while one
     * work-item's private gradient sums, a vector per parameter it owns, would exceed
     * {@value #PRIVATE_BUDGET} bytes. On a GPU: one row per work-item, 64 per group, 8 groups per
     * compute unit. Then the tile shrinks (chunks, then work-group, then rows per vector) until the four
     * local tables of the Hessian-vector kernel fit the device's local memory. The starting values are
     * the MLP_* keys of the device's {@link DeviceTuning}.
     */
    public static MlpTuning forDevice(DeviceInfo device, Precision precision, MlpSpec spec) {
        return forDevice(device, DeviceTuning.forDevice(device), precision, spec);
    }

    /** As {@link #forDevice(DeviceInfo, Precision, MlpSpec)}, starting from {@code tuning}. */
    public static MlpTuning forDevice(DeviceInfo device, DeviceTuning tuning, Precision precision, MlpSpec spec) {
        boolean gpu = device.isGpu();
        int maxWg = (int) Math.min(1024, Long.highestOneBit(Math.max(1, device.maxWorkGroupSize())));
        int vec = Math.max(1, Math.min(16, tuning.get(DeviceTuning.Key.MLP_VEC_BYTES) / precision.bytes()));
        int wg = Math.min(tuning.get(DeviceTuning.Key.MLP_WGS), maxWg);
        int chunks = tuning.get(DeviceTuning.Key.MLP_CHUNKS);
        int p = spec.parameterCount();
        while (!gpu && (long) ((p + wg - 1) / wg) * vec * precision.bytes() > PRIVATE_BUDGET && wg < maxWg) {
            wg *= 2;
            chunks = Math.max(1, chunks / 2);
        }
        int groups = Math.max(1, device.computeUnits()) * tuning.get(DeviceTuning.Key.MLP_GROUPS_PER_CU);
        MlpTuning t = new MlpTuning(vec, wg, chunks, groups);
        long budget = device.localMemory() - LOCAL_SLACK;
        while (t.localBytes(spec, precision) > budget && t.tile() > 1) {
            t = t.chunks > 1 ? new MlpTuning(t.vec, t.workGroup, t.chunks / 2, groups)
                    : t.workGroup > 1 ? new MlpTuning(t.vec, t.workGroup / 2, 1, groups)
                    : new MlpTuning(t.vec / 2, 1, 1, groups);
        }
        if (t.localBytes(spec, precision) > budget) {
            throw new UsageException("network " + spec.describe() + " needs " + t.localBytes(spec, precision)
                    + " bytes of local memory per row, more than device '" + device.name() + "' has ("
                    + device.localMemory() + "): use narrower layers");
        }
        return t;
    }
}
