package io.descent.objective;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.data.DeviceDataset;
import io.descent.linalg.Reduction;
import io.descent.profile.Phase;

import java.util.Map;

/**
 * A generalised linear model on the device ({@code opencl/linear.cl}): z = X w (+ intercept), mean
 * of a per-row loss, plus alpha ||w||^2 on every parameter but the intercept. Parameter 0 is the
 * intercept when there is one, then one per feature column.
 *
 * <p>Each evaluation is one pass over X: the loss and gradient together (fused), the Hessian X'DX
 * as a tall-skinny reduction of the upper triangle (not CLBlast SYRK: for 1M x 11 on PoCL a
 * purpose-built reduction is far faster). Sums over rows accumulate in float64 wherever the device
 * has it (float32 data is added in float32 only within a tile of rows; see linear.cl). Partial sums
 * per work-group are added by {@code reduce_columns}, then a finish kernel scales by 1/n and adds
 * the penalty.
 */
public abstract class LinearModel extends DataObjective {
    /** Largest parameter count for which the one-pass Hessian keeps its triangle in registers. */
    public static final int MAX_FUSED_HESSIAN = 64;

    private final boolean intercept;
    private final double alpha;
    private final int p;
    private final int wgs;
    private final Precision acc;
    private final Program program;
    private final int maxGroups;
    private final DeviceArray partial;
    private final DeviceArray sums;
    /** The two-pass kernels for WIDE_FROM or more parameters, else null (and the three above are set). */
    private final WidePasses wide;
    private final int model;
    private Program gram;
    private Program gramDense;
    private io.descent.linalg.Gemm gramGemm;
    private DeviceArray gramC, gramD;
    private DeviceArray weights;
    private DeviceArray gramPartial;
    private int gramSplits;

    protected LinearModel(DeviceDataset data, boolean intercept, double alpha, int model) {
        super(data);
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new UsageException("L2 penalty alpha = " + alpha + ": it must be a finite number >= 0");
        }
        this.intercept = intercept;
        this.alpha = alpha;
        this.p = data.cols() + (intercept ? 1 : 0);
        this.wgs = runtime.workGroupSize();
        Map<String, String> defines = Map.of("COLS", Integer.toString(data.cols()),
                "INTERCEPT", intercept ? "1" : "0", "MODEL", Integer.toString(model),
                "MAX_STEPS", Integer.toString(MAX_STEPS));
        this.acc = runtime.device().fp64() ? Precision.FP64 : precision;
        this.model = model;
        this.maxGroups = runtime.dataGroups();
        if (p >= wideFrom()) {
            // linear.cl is not even built: its fused kernels' per-parameter private arrays, at this
            // width, overflow a CPU work-item's stack and are more than a GPU's compiler will place
            this.wide = new WidePasses(runtime, selection, precision, acc, p, intercept, model, alpha);
            this.program = null;
            this.partial = null;
            this.sums = null;
            return;
        }
        this.wide = null;
        Map<String, String> all = new java.util.TreeMap<>(defines);
        all.put("ACC_PRECISION", Integer.toString(acc.bits()));
        this.program = runtime.program("linear.cl", precision, all);
        int cols = Math.max(p <= fusedHessianMax() ? p * (p + 1) / 2 : 0, Math.max(p + 1, MAX_STEPS));
        this.partial = runtime.allocate(acc, (long) maxGroups * cols);
        this.sums = runtime.allocate(acc, cols);
    }

    /** Smallest parameter count that takes the two-pass kernels of wide.cl (the tuning's WIDE_FROM). */
    int wideFrom() {
        return runtime.deviceTuning().get(io.descent.cl.DeviceTuning.Key.WIDE_FROM);
    }

    /** Whether this model runs on the two-pass kernels of wide.cl. */
    public boolean isWide() {
        return wide != null;
    }

    public boolean intercept() {
        return intercept;
    }

    @Override
    public double alpha() {
        return alpha;
    }

    @Override
    public int parameterCount() {
        return p;
    }

    /** Parameter names: "intercept" first when there is one, then the data's column names. */
    public String[] parameterNames() {
        String[] names = new String[p];
        int o = intercept ? 1 : 0;
        if (intercept) names[0] = "intercept";
        for (int j = 0; j < data.cols(); j++) names[o + j] = data.info().columns().get(j);
        return names;
    }

    private int groups() {
        return selection.groups(wgs, maxGroups);
    }

    private Object[] batchArgs(Object... more) {
        return selection.kernelArgs(more);
    }

    private void stage1(String kernel, Phase phase, int cols, Object... more) {
        int g = groups();
        Object[] args = new Object[more.length + 1];
        System.arraycopy(more, 0, args, 0, more.length);
        args[more.length] = partial;
        program.kernel(kernel).args(batchArgs(args)).launch(phase, (long) g * wgs, wgs);
        program.kernel("reduce_columns").args(g, cols, partial, sums).launch(phase, (long) cols * wgs, wgs);
    }

    @Override
    protected void enqueueLoss(DeviceArray w, DeviceArray out, int index) {
        if (wide != null) {
            wide.loss(w, out, index);
            return;
        }
        stage1("glm_loss", Phase.LOSS, 1, w);
        program.kernel("glm_finish_loss").args(sums, selection.count(), alpha, w, out, index).launch(Phase.LOSS, 1, 1);
    }

    @Override
    protected void enqueueLossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        if (wide != null) {
            wide.lossAndGradient(w, grad, out, index);
            return;
        }
        stage1("glm_gradient", Phase.GRADIENT, p + 1, w);
        program.kernel("glm_finish_gradient").args(sums, selection.count(), alpha, w, grad, out, index)
                .launch(Phase.GRADIENT, p, 0);
    }

    @Override
    protected void enqueueHessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        if (wide != null) {
            wide.hessianVector(w, v, hv);
            return;
        }
        stage1("glm_hessian_vector", Phase.HESSIAN, p, w, v);
        program.kernel("glm_finish_hessian_vector").args(sums, selection.count(), alpha, v, hv).launch(Phase.HESSIAN, p, 0);
    }

    /** Largest p the one-pass fused Hessian kernel handles; wider models use the tiled kernel of gram.cl. */
    int fusedHessianMax() {
        return Math.min(MAX_FUSED_HESSIAN, runtime.deviceTuning().get(io.descent.cl.DeviceTuning.Key.GRAM_FROM) - 1);
    }

    @Override
    protected void enqueueHessian(DeviceArray w, DeviceArray h) {
        if (wide != null || p > fusedHessianMax()) {
            wideHessian(w, h);
            return;
        }
        int tri = p * (p + 1) / 2;
        stage1("glm_hessian", Phase.HESSIAN, tri, w);
        program.kernel("glm_finish_hessian").args(sums, selection.count(), alpha, h)
                .launch(Phase.HESSIAN, (long) p * p, 0);
    }

    /**
     * X'DX of a model wider than the fused kernel: by the GEMM engine where the tuning picks
     * descent's (its SYRK over packed panels of the design matrix), else by gram.cl's tiles.
     */
    private void wideHessian(DeviceArray w, DeviceArray h) {
        if (runtime.deviceTuning().get(io.descent.cl.DeviceTuning.Key.GEMM_ENGINE) == 1) {
            gemmHessian(w, h);
        } else {
            tiledHessian(w, h);
        }
    }

    /**
     * X'DX by gemm.cl: the row weights d (gram.cl), then the upper triangle of F D F' over k = the
     * batch's rows in packed slices (F: features by rows, the intercept a row of ones; D folded into
     * the A panels as they are packed), then both triangles, / n, plus the penalty. Sums are in the
     * working precision, blocked by KC (slices of rows summed in registers, slices added in C).
     */
    private void gemmHessian(DeviceArray w, DeviceArray h) {
        int n = selection.count();
        if (gramGemm == null) {
            gramGemm = new io.descent.linalg.Gemm(runtime, precision, io.descent.linalg.Gemm.DESCENT);
            Map<String, String> d = new java.util.TreeMap<>();
            d.put("INTERCEPT", intercept ? "1" : "0");
            d.put("MODEL", Integer.toString(model));
            d.put("ACC_PRECISION", Integer.toString(precision.bits()));
            gramDense = runtime.program("gram.cl", precision, d);
            gramC = runtime.allocate(precision, (long) p * p);
        }
        if (gramD == null || gramD.length() < Math.max(1, n)) {
            if (gramD != null) gramD.close();
            gramD = runtime.allocate(precision, Math.max(1, Math.max(n, data.rows())));
        }
        gramDense.kernel("gram_weights").args(batchArgs(p, w, gramD)).launch(Phase.HESSIAN, Math.max(1, n), 0);
        io.descent.cl.Kernel pack = gramGemm.kernel("gemm_pack_design");
        gramGemm.packedProduct(p, p, n, 1, (out, k0, len, width, panels, ph) -> pack
                        .args(batchArgs(p, intercept ? 1 : 0, len, k0, gramD, 1, width, out))
                        .launch(ph, new long[]{io.descent.cl.Kernel.roundUp(Math.max(len, 1), 16), panels}, new long[]{16, 1}),
                (out, k0, len, width, panels, ph) -> pack
                        .args(batchArgs(p, intercept ? 1 : 0, len, k0, gramD, 0, width, out))
                        .launch(ph, new long[]{io.descent.cl.Kernel.roundUp(Math.max(len, 1), 16), panels}, new long[]{16, 1}),
                0, gramC, 0, p, true, Phase.HESSIAN);
        gramDense.kernel("gram_finish_dense").args(p, gramC, Math.max(1, n), alpha, h).launch(Phase.HESSIAN, (long) p * p, 0);
    }

    /** X'DX by tiles (gram.cl): weights, tiles of the upper triangle split over rows, then the sum of the splits. */
    private void tiledHessian(DeviceArray w, DeviceArray h) {
        io.descent.cl.DeviceTuning t = runtime.deviceTuning();
        int ts = t.get(io.descent.cl.DeviceTuning.Key.GRAM_TS);
        int rb = t.get(io.descent.cl.DeviceTuning.Key.GRAM_RB);
        int kb = t.get(io.descent.cl.DeviceTuning.Key.GRAM_KB);
        int tr = ts / rb;
        int local = tr * tr;
        int tiles = (p + ts - 1) / ts;
        int upper = tiles * (tiles + 1) / 2;
        int n = selection.count();
        if (gram == null) {
            Map<String, String> d = new java.util.TreeMap<>();
            d.put("INTERCEPT", intercept ? "1" : "0");
            d.put("MODEL", Integer.toString(model));
            d.put("TS", Integer.toString(ts));
            d.put("RB", Integer.toString(rb));
            d.put("KB", Integer.toString(kb));
            d.put("ACC_PRECISION", Integer.toString(acc.bits()));
            gram = runtime.program("gram.cl", precision, d);
            weights = runtime.allocate(acc, Math.max(1, data.rows()));
            // enough groups to fill the device, each with at least 8 row tiles of work
            int target = Math.max(1, runtime.dataGroups() * 2);
            int byRows = Math.max(1, data.rows() / (8 * kb));
            gramSplits = Math.max(1, Math.min(byRows, (target + upper - 1) / upper));
            gramPartial = runtime.allocate(acc, (long) gramSplits * upper * ts * ts);
        }
        if (weights.length() < n) { // a mini-batch drawn with replacement can hold more rows than the data
            weights.close();
            weights = runtime.allocate(acc, n);
        }
        int splits = Math.max(1, Math.min(gramSplits, (n + kb - 1) / kb));
        int rowsPerSplit = (int) Math.max(kb, ((n + (long) splits - 1) / splits + kb - 1) / kb * kb);
        gram.kernel("gram_weights").args(batchArgs(p, w, weights)).launch(Phase.HESSIAN, Math.max(1, n), 0);
        Object[] tileArgs = batchArgs();
        Object[] args = java.util.Arrays.copyOf(tileArgs, tileArgs.length + 6);
        args[tileArgs.length] = p;
        args[tileArgs.length + 1] = tiles;
        args[tileArgs.length + 2] = splits;
        args[tileArgs.length + 3] = rowsPerSplit;
        args[tileArgs.length + 4] = weights;
        args[tileArgs.length + 5] = gramPartial;
        gram.kernel("gram_tiles").args(args).launch(Phase.HESSIAN, (long) upper * splits * local, local);
        gram.kernel("gram_finish").args(p, tiles, splits, gramPartial, n, alpha, h).launch(Phase.HESSIAN, (long) p * p, 0);
    }

    @Override
    protected void enqueueLosses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        if (wide != null) {
            wide.losses(w, direction, steps, m, out);
            return;
        }
        stage1("glm_losses", Phase.LOSS, m, w, direction, steps, m);
        program.kernel("glm_finish_losses").args(sums, selection.count(), alpha, w, direction, steps, m, out)
                .launch(Phase.LOSS, m, 0);
    }

    @Override
    public void close() {
        if (wide != null) wide.close();
        if (partial != null) partial.close();
        if (sums != null) sums.close();
        if (weights != null) weights.close();
        if (gramPartial != null) gramPartial.close();
        if (gramC != null) gramC.close();
        if (gramD != null) gramD.close();
        if (gramGemm != null) gramGemm.close();
        super.close();
    }
}
