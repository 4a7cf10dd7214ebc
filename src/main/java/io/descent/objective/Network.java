package io.descent.objective;

import io.descent.UsageException;
import io.descent.cl.DeviceArray;
import io.descent.cl.Program;
import io.descent.data.DeviceDataset;
import io.descent.linalg.Gemm;
import io.descent.profile.Phase;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A fully connected network of any width with K outputs ({@link NetworkSpec}), computed as layers:
 * every layer of a block of rows is a matrix product through {@link Gemm} plus elementwise kernels
 * ({@code opencl/layers.cl}), the last layer's loss row by row ({@code opencl/losses.cl}).
 * f(w) = (1/n) sum_i l(z_i, t_i) over the batch's rows, plus alpha ||W||^2 over the weights (not the
 * biases) when alpha > 0 ({@link Penalty}: added once per evaluation, after the row blocks).
 * Parameters: {@link NetworkSpec}'s layout, the one of mlp.cl (per layer W row-major n_out x n_in, then b).
 *
 * <p>For a block of b rows, A_0 its inputs (b x n_0; the column-major X itself read transposed, or
 * the gathered rows of a mini-batch):
 * <pre>
 *   forward    A_(l+1) = act(A_l W_l' + b_l)      (the output layer Z = A_(L-1) W' + b, no activation)
 *   loss       rowloss, D = dl/dZ                   (losses.cl)
 *   backward   dW_l += D' A_l,  db_l += colsum(D),  D = act'(A_l) o (D W_l)
 * </pre>
 * <b>Row blocks.</b> Rows go in blocks of {@link #blockRows()} sized to a device-memory budget, so the
 * activations of any batch fit. Each block adds its partial sums (a loss partial per block; gradient
 * and curvature products accumulated by GEMM with beta = 1), and a finisher divides by n once: the
 * row-block seam of the design notes.
 *
 * <p><b>Curvature.</b> {@link Mlp.Curvature#GAUSS_NEWTON}: G v = J' (l'' (J v)), a forward R-pass
 * (R{Z} = R{A} W' + A V' + c, R{A} = act'(A) o R{Z}), the loss Hessian in z times R{Z}, then the
 * ordinary backward pass. {@link Mlp.Curvature#EXACT}: the R-operator (Pearlmutter 1994) as in
 * mlp.cl, with backward R-pass R{dW} = R{D}' A + D' R{A}, R{G} = R{D} W + D V, R{D} = act2r(a) R{a} g +
 * act'(a) R{g}. The dense matrix is assembled column by column from these products (p passes):
 * for small networks only, as Newton's own size check ensures.
 */
public final class Network extends DataObjective {
    /**
     * Whether a one-output network goes to the fused kernel (mlp.cl) on this runtime, else to layers:
     * its widest hidden layer is at most the tuning's {@code MLP_FUSED_MAX}, which never passes
     * {@link io.descent.cl.DeviceTuning#MAX_MLP_FUSED} (mlp.cl keeps a layer per work-item in private
     * arrays: 784-256-256-1 overflowed a PoCL work-item's stack, issue 24). On PoCL the fused kernel
     * is 3.6-18x faster than layers at widths 8-64 ({@code benchmarks/layers/switch.sh}), so the cpu
     * entry's value is 64.
     */
    public static boolean fused(MlpSpec spec, io.descent.cl.ClRuntime runtime) {
        return spec.maxWidth() <= Math.min(io.descent.cl.DeviceTuning.MAX_MLP_FUSED,
                runtime.deviceTuning().get(io.descent.cl.DeviceTuning.Key.MLP_FUSED_MAX));
    }

    /**
     * A softmax network with K = the largest label + 1 classes; no hidden layer is softmax
     * (multinomial) regression.
     */
    public static Network softmaxNetwork(DeviceDataset d, List<Integer> hidden, MlpSpec.Activation activation,
                                         Mlp.Curvature curvature) {
        return softmaxNetwork(d, hidden, activation, curvature, 0);
    }

    /**
     * A softmax network with {@code classes} outputs, counted beforehand over all the rows (a
     * streamed data set's chunks, a partition: rows that need not hold every class), or, with 0,
     * counted here from the rows' labels.
     */
    public static Network softmaxNetwork(DeviceDataset d, List<Integer> hidden, MlpSpec.Activation activation,
                                         Mlp.Curvature curvature, int classes) {
        return softmaxNetwork(d, hidden, activation, curvature, classes, 0);
    }

    /** As above, with the L2 penalty alpha ||W||^2 on the weights (0: none). */
    public static Network softmaxNetwork(DeviceDataset d, List<Integer> hidden, MlpSpec.Activation activation,
                                         Mlp.Curvature curvature, int classes, double alpha) {
        int k = classes;
        if (k <= 0) {
            if (d.host() == null) {
                throw new UsageException("softmax regression needs its labels in memory to count the classes; streamed "
                        + "data is not supported here");
            }
            k = classes(d.host().y(), d.info().name());
        }
        return new Network(d, new NetworkSpec(d.cols(), hidden, k, activation, NetworkSpec.Loss.SOFTMAX),
                curvature, null, DEFAULT_BLOCK_BYTES, alpha);
    }

    /**
     * K for labels 0..K-1 (at least 2): the largest label + 1.
     *
     * @throws UsageException a label that is not a whole number in [0, 10^6)
     */
    public static int classes(double[] labels, String name) {
        double max = 0;
        for (double v : labels) {
            if (!(v >= 0 && v == Math.rint(v) && v < 1e6)) {
                throw new UsageException("softmax regression needs class labels 0..K-1; data set '" + name + "' has " + v);
            }
            max = Math.max(max, v);
        }
        return Math.max(2, (int) max + 1);
    }

    /**
     * The softmax network of {@code trained}'s shape and penalty on other rows (held-out data): the
     * classes are the training data's, whatever labels these rows hold, so parameters fit both. The
     * held-out loss includes the penalty, as a linear model's does.
     *
     * @throws UsageException a label that is not one of the training data's classes 0..K-1
     */
    public static Network withClassesOf(Network trained, DeviceDataset d) {
        int k = trained.spec().outputs();
        if (d.host() == null) {
            throw new UsageException("softmax held-out data needs its labels in memory; streamed data is not supported yet");
        }
        for (double v : d.host().y()) {
            if (!(v >= 0 && v == Math.rint(v) && v < k)) {
                throw new UsageException("held-out data set '" + d.info().name() + "' has label " + v + ", which is not one of"
                        + " the training data's classes 0.." + (k - 1) + ": hold out rows whose labels the training data has");
            }
        }
        return new Network(d, trained.spec(), trained.curvature(), null, DEFAULT_BLOCK_BYTES, trained.alpha());
    }

    /** Default device memory for one block's activations and deltas. */
    public static final long DEFAULT_BLOCK_BYTES = 256L << 20;

    private final NetworkSpec spec;
    private final Mlp.Curvature curvature;
    private final int p;
    private final int layers;
    private final int block;
    private final Gemm gemm;
    private final Program lp;
    private final Program lossp;
    private final List<DeviceArray> owned = new ArrayList<>();
    /**
     * a[l]: layer l's values for a block, b x n_l row-major (a[L] = Z); a[0], only when rows are
     * gathered: row-major from {@link #xRows}, else column-major like X (leading dimension b).
     */
    private final DeviceArray[] a;
    private final DeviceArray g0, g1, rowLoss, stepParams;
    private final DeviceArray targets;
    private DeviceArray partial;
    /** A row-major copy of the data's X for mini-batch gathers, made on the first gather where it fits. */
    private DeviceArray xRows;
    private boolean xRowsTried;
    private DeviceArray[] ra;
    private DeviceArray rg0, rg1, column, unit;
    /** alpha ||W||^2, or null without a penalty. */
    private final Penalty penalty;

    /** The network on the data, exact curvature, the default block budget. */
    public Network(DeviceDataset data, NetworkSpec spec) {
        this(data, spec, Mlp.Curvature.EXACT, null, DEFAULT_BLOCK_BYTES);
    }

    /**
     * @param targets     null (targets are the data set's y: one output, or the classes of softmax), or
     *                    rows x K values row-major, the targets of K outputs of MSE or BCE
     * @param blockBytes  device memory for one block of rows (activations, deltas, R-values)
     */
    public Network(DeviceDataset data, NetworkSpec spec, Mlp.Curvature curvature, double[] targets, long blockBytes) {
        this(data, spec, curvature, targets, blockBytes, 0);
    }

    /**
     * As above, with the L2 penalty alpha ||W||^2 on the weights, the biases unpenalised.
     *
     * @param alpha the penalty, finite and at least 0 (0: none, and nothing extra is launched)
     */
    public Network(DeviceDataset data, NetworkSpec spec, Mlp.Curvature curvature, double[] targets, long blockBytes,
                   double alpha) {
        super(data);
        Penalty.require(alpha);
        if (data.cols() != spec.dimIn()) {
            throw new UsageException("network " + spec.describe() + " takes " + spec.dimIn() + " inputs, data set '"
                    + data.info().name() + "' has " + data.cols() + " feature columns");
        }
        this.spec = spec;
        this.curvature = curvature;
        this.p = spec.parameterCount();
        this.layers = spec.layers();
        int k = spec.outputs();
        boolean ownTargets = spec.loss() != NetworkSpec.Loss.SOFTMAX && k > 1;
        if (ownTargets && (targets == null || targets.length != (long) data.rows() * k)) {
            throw new UsageException("network " + spec.describe() + " has " + k + " outputs: it needs " + k
                    + " target values per row (" + (long) data.rows() * k + "), got "
                    + (targets == null ? "one target column" : targets.length + " values"));
        }
        checkTargets(data, spec, ownTargets ? targets : null);
        long bytesPerRow = bytesPerRow(spec, precision);
        long fit = blockBytes / bytesPerRow;
        if (fit < 1) {
            throw new UsageException("network " + spec.describe() + " needs " + bytesPerRow + " bytes of device memory "
                    + "per row, more than its block budget of " + blockBytes + " bytes: use narrower layers or a "
                    + "larger budget");
        }
        long weights = (long) p * precision.bytes();
        long maxAlloc = runtime.device().maxAllocation();
        if (maxAlloc > 0 && weights > maxAlloc) {
            throw new UsageException("network " + spec.describe() + " has " + p + " parameters (" + weights
                    + " bytes), more than the " + maxAlloc + " bytes device '" + runtime.device().name()
                    + "' allocates at once: use narrower layers");
        }
        this.block = (int) Math.max(1, Math.min(data.rows(), Math.min(fit, Integer.MAX_VALUE / Math.max(1, spec.maxWidth()))));
        this.gemm = new Gemm(runtime, precision);
        this.lp = runtime.program("layers.cl", precision, Map.of("ACT", Integer.toString(spec.activation().code())));
        this.lossp = runtime.program("losses.cl", precision, Map.of("LOSS", Integer.toString(spec.loss().code())));
        this.a = new DeviceArray[layers + 1];
        try {
            for (int l = 1; l <= layers; l++) a[l] = own((long) block * spec.width(l));
            int gw = 1;
            for (int l = 1; l <= layers; l++) gw = Math.max(gw, spec.width(l));
            g0 = own((long) block * gw);
            g1 = own((long) block * gw);
            rowLoss = own(block);
            stepParams = own(p);
            this.targets = ownTargets ? own(targets.length) : null;
            if (this.targets != null) this.targets.write(targets);
            this.penalty = Penalty.of(runtime, precision, alpha, spec.weightMask());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Softmax labels 0..K-1, BCE targets in [0, 1]: checked on the host before the first launch. */
    private static void checkTargets(DeviceDataset data, NetworkSpec spec, double[] targets) {
        double[] t = targets != null ? targets : data.host() != null ? data.host().y() : null;
        if (t == null) return; // a streamed set is checked by its source
        for (double v : t) {
            if (spec.loss() == NetworkSpec.Loss.SOFTMAX && !(v >= 0 && v < spec.outputs() && v == Math.rint(v))) {
                throw new UsageException("softmax with " + spec.outputs() + " classes needs labels 0.." + (spec.outputs() - 1)
                        + "; data set '" + data.info().name() + "' has " + v);
            }
            if (spec.loss() == NetworkSpec.Loss.BCE && !(v >= 0 && v <= 1)) {
                throw new UsageException("binary cross-entropy needs targets in [0, 1]; data set '"
                        + data.info().name() + "' has " + v);
            }
        }
    }

    /**
     * Device memory one row of a block takes: every layer's values (the gathered input included), two
     * delta buffers, and the same again for the R-values of the curvature products.
     */
    public static long bytesPerRow(NetworkSpec spec, io.descent.cl.Precision precision) {
        long perRow = spec.sumWidths() + 2L * spec.maxWidth() + 1;
        long curvRow = spec.sumWidths() + 2L * spec.maxWidth();
        return (perRow + curvRow) * precision.bytes();
    }

    private DeviceArray own(long length) {
        DeviceArray x = runtime.allocate(precision, Math.max(1, length));
        owned.add(x);
        return x;
    }

    public NetworkSpec spec() {
        return spec;
    }

    public Mlp.Curvature curvature() {
        return curvature;
    }

    /** The L2 penalty alpha of alpha ||W||^2 (0: none). */
    @Override
    public double alpha() {
        return penalty == null ? 0 : penalty.alpha();
    }

    /** Rows per block. */
    public int blockRows() {
        return block;
    }

    /** The matrix-product engine ("clblast" or "descent"). */
    public String gemmEngine() {
        return gemm.engine();
    }

    @Override
    public String name() {
        return "network " + spec.describe() + " (" + p + " parameters, " + data.rows() + " rows, layers"
                + (curvature == Mlp.Curvature.GAUSS_NEWTON ? ", Gauss-Newton" : "") + ")";
    }

    @Override
    public int parameterCount() {
        return p;
    }

    @Override
    public boolean isQuadratic() {
        return spec.hidden().isEmpty() && spec.loss() == NetworkSpec.Loss.MSE;
    }

    @Override
    public double[] initialParameters(Random random) {
        return spec.initialParameters(random);
    }

    // ---- the passes over one block ---------------------------------------------------------------

    /** Block rows: the selection's leading kernel arguments (n, n_all, idx, use_idx, X, y). */
    private Object[] sel() {
        return selection.kernelArgs();
    }

    private boolean gathered(Object[] sel) {
        return (Integer) sel[3] != 0;
    }

    /**
     * A_0 of the block: gathered rows (b x n_0: row-major from the row-major copy of X, else
     * column-major), or X read transposed at row r0.
     */
    private void gather(Object[] sel, int r0, int b, Phase ph) {
        if (!gathered(sel)) return;
        if (a[0] == null) a[0] = own((long) block * spec.dimIn());
        if (rowCopy() != null) {
            lp.kernel("layer_gather_rows").args(sel[2], r0, b, spec.dimIn(), xRows, a[0]).launch(ph, (long) b * spec.dimIn(), 0);
        } else {
            lp.kernel("layer_gather").args(sel[0], sel[1], sel[2], sel[3], sel[4], r0, b, spec.dimIn(), a[0])
                    .launch(ph, (long) b * spec.dimIn(), 0);
        }
    }

    /** Gathers from the column-major X, with no row-major copy (tests: the path where the copy does not fit). */
    void gatherFromColumns() {
        if (xRows == null) xRowsTried = true;
    }

    /** Makes the row-major copy of X for the gathers to come (see {@link #rowCopy}). */
    @Override
    public void prepareBatches() {
        rowCopy();
    }

    /**
     * The row-major copy of X, made once, before mini-batches start or else on the first gather (a
     * transposing pass over the data, under transfer), if it takes at most an eighth of the device's
     * memory and one allocation; else null, and gathers read the column-major X.
     */
    private DeviceArray rowCopy() {
        if (!xRowsTried) {
            xRowsTried = true;
            long values = (long) data.rows() * spec.dimIn();
            long bytes = values * precision.bytes();
            long maxAlloc = runtime.device().maxAllocation();
            if (spec.dimIn() > 1 && bytes <= runtime.device().globalMemory() / 8 && (maxAlloc <= 0 || bytes <= maxAlloc)) {
                xRows = own(values);
                lp.kernel("layer_rows").args(data.rows(), (long) data.stride(), spec.dimIn(), data.x(), xRows)
                        .launch(Phase.TRANSFER, values, 0);
            }
        }
        return xRows;
    }

    /**
     * C (+)= A_0 op(B) or op(A) A_0 where A_0 (b x n_0, b = m on the left, k on the right) is the
     * block's input: gathered rows or X at row r0, column-major either way, so read transposed.
     */
    private void inputTimes(Object[] sel, int r0, boolean inputLeft, boolean transOther, int m, int n, int k,
                            DeviceArray other, long otherOff, int otherLd, double beta, DeviceArray c, long cOff,
                            int ldc, Phase ph) {
        boolean g = gathered(sel);
        boolean rows = g && xRows != null; // row-major A_0
        DeviceArray in = g ? a[0] : data.x();
        long inOff = g ? 0 : r0;
        int inLd = rows ? spec.dimIn() : g ? (inputLeft ? m : k) : data.stride();
        if (inputLeft) {
            gemm.gemm(!rows, transOther, m, n, k, 1, in, inOff, inLd, other, otherOff, otherLd, beta, c, cOff, ldc, ph);
        } else {
            gemm.gemm(transOther, !rows, m, n, k, 1, other, otherOff, otherLd, in, inOff, inLd, beta, c, cOff, ldc, ph);
        }
    }

    /** a[1..L] for the block (A_0 already in place). */
    private void forward(Object[] sel, DeviceArray w, int r0, int b, Phase ph) {
        for (int l = 0; l < layers; l++) {
            int nin = spec.width(l), nout = spec.width(l + 1);
            if (l == 0) {
                inputTimes(sel, r0, true, true, b, nout, nin, w, spec.weightOffset(0), nin, 0, a[1], 0, nout, ph);
            } else {
                gemm.gemm(false, true, b, nout, nin, 1, a[l], 0, nin, w, spec.weightOffset(l), nin, 0, a[l + 1], 0, nout, ph);
            }
            lp.kernel("layer_bias_act").args(b, nout, w, (long) spec.biasOffset(l), a[l + 1], l + 1 < layers ? 1 : 0)
                    .launch(ph, (long) b * nout, 0);
        }
    }

    /** rowLoss (and g0 = dl/dZ when wanted) of the block, its partial sum into partial[slot]. */
    private void loss(Object[] sel, int r0, int b, boolean wantD, int slot, Phase ph) {
        loss(sel, r0, b, wantD, 1, slot, ph);
    }

    /** The same, with D scaled by {@code dscale} (1/n: a gradient that needs no scaling pass after). */
    private void loss(Object[] sel, int r0, int b, boolean wantD, double dscale, int slot, Phase ph) {
        DeviceArray t = targets != null ? targets : data.y();
        lossp.kernel("loss_rows").args(sel[2], sel[3], sel[5], t, targets != null ? 1 : 0, r0, b, spec.outputs(),
                a[layers], rowLoss, g0, wantD ? 1 : 0, dscale).launch(ph, b, 0);
        int wgs = runtime.workGroupSize();
        lossp.kernel("loss_block_sum").args(b, rowLoss, partial, slot).launch(ph, wgs, wgs);
    }

    /**
     * Backward from the output delta in {@code top} (b x K): out (+)= the sums D' A_l and colsum(D) of
     * every layer, first block overwriting. Uses g0/g1 in turn ({@code top} is one of them).
     */
    private void backward(Object[] sel, DeviceArray w, int r0, int b, DeviceArray top, DeviceArray out, boolean first,
                          Phase ph) {
        DeviceArray d = top, other = top == g0 ? g1 : g0;
        double beta = first ? 0 : 1;
        for (int l = layers - 1; l >= 0; l--) {
            int nin = spec.width(l), nout = spec.width(l + 1);
            weightSum(sel, r0, b, l, d, a, out, beta, ph);
            lp.kernel("layer_bias_sum").args(b, nout, d, out, (long) spec.biasOffset(l), first ? 1 : 0).launch(ph, nout, 0);
            if (l > 0) {
                gemm.gemm(false, false, b, nin, nout, 1, d, 0, nout, w, spec.weightOffset(l), nin, 0, other, 0, nin, ph);
                lp.kernel("layer_dact").args((long) b * nin, a[l], other).launch(ph, (long) b * nin, 0);
                DeviceArray s = d;
                d = other;
                other = s;
            }
        }
    }

    /** out[W_l] = D' X_l + beta out[W_l], X_l = vals[l] (b x n_l), or the block's input for l = 0. */
    private void weightSum(Object[] sel, int r0, int b, int l, DeviceArray d, DeviceArray[] vals, DeviceArray out,
                           double beta, Phase ph) {
        int nin = spec.width(l), nout = spec.width(l + 1);
        if (l == 0 && vals == a) {
            inputTimes(sel, r0, false, true, nout, nin, b, d, 0, nout, beta, out, spec.weightOffset(0), nin, ph);
        } else {
            gemm.gemm(true, false, nout, nin, b, 1, d, 0, nout, vals[l], 0, nin, beta, out, spec.weightOffset(l), nin, ph);
        }
    }

    private int blocks() {
        return (selection.count() + block - 1) / block;
    }

    private void ensurePartial(int m) {
        long need = (long) m * blocks();
        if (partial == null || partial.length() < need) {
            if (partial != null) {
                owned.remove(partial);
                partial.close();
            }
            partial = own(Math.max(need, (long) m * ((data.rows() + block - 1) / block)));
        }
    }

    /** The loss of parameters w into out[index]. */
    private void lossOf(DeviceArray w, DeviceArray out, int index, Phase ph) {
        Object[] sel = sel();
        int n = selection.count(), nb = blocks();
        for (int j = 0; j < nb; j++) {
            int r0 = j * block, b = Math.min(block, n - r0);
            gather(sel, r0, b, ph);
            forward(sel, w, r0, b, ph);
            loss(sel, r0, b, false, j, ph);
        }
        lossp.kernel("loss_finish").args(nb, partial, n, out, index).launch(ph, 1, 0);
        if (penalty != null) penalty.loss(w, out, index, ph);
    }

    @Override
    protected void enqueueLoss(DeviceArray w, DeviceArray out, int index) {
        ensurePartial(1);
        lossOf(w, out, index, Phase.LOSS);
    }

    @Override
    protected void enqueueLossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        ensurePartial(1);
        Phase ph = Phase.GRADIENT;
        Object[] sel = sel();
        int n = selection.count(), nb = blocks();
        for (int j = 0; j < nb; j++) {
            int r0 = j * block, b = Math.min(block, n - r0);
            gather(sel, r0, b, ph);
            forward(sel, w, r0, b, ph);
            loss(sel, r0, b, true, 1.0 / n, j, ph); // D / n: the backward products give the mean's gradient
            backward(sel, w, r0, b, g0, grad, j == 0, ph);
        }
        lossp.kernel("loss_finish").args(nb, partial, n, out, index).launch(ph, 1, 0);
        if (penalty != null) {
            penalty.loss(w, out, index, ph);
            penalty.add(w, grad, ph);
        }
    }

    private void ensureCurvature() {
        if (ra != null) return;
        ra = new DeviceArray[layers + 1];
        for (int l = 1; l <= layers; l++) ra[l] = own((long) block * spec.width(l));
        rg0 = own(g0.length());
        rg1 = own(g0.length());
    }

    /** ra[1..L] = R{A_l} along v for the block (ra[L] = R{Z}); a[] already forward. */
    private void rForward(Object[] sel, DeviceArray w, DeviceArray v, int r0, int b, Phase ph) {
        for (int l = 0; l < layers; l++) {
            int nin = spec.width(l), nout = spec.width(l + 1);
            if (l == 0) {
                inputTimes(sel, r0, true, true, b, nout, nin, v, spec.weightOffset(0), nin, 0, ra[1], 0, nout, ph);
            } else {
                gemm.gemm(false, true, b, nout, nin, 1, a[l], 0, nin, v, spec.weightOffset(l), nin, 0, ra[l + 1], 0, nout, ph);
                gemm.gemm(false, true, b, nout, nin, 1, ra[l], 0, nin, w, spec.weightOffset(l), nin, 1, ra[l + 1], 0, nout, ph);
            }
            lp.kernel("layer_bias_act").args(b, nout, v, (long) spec.biasOffset(l), ra[l + 1], 0).launch(ph, (long) b * nout, 0);
            if (l + 1 < layers) {
                lp.kernel("layer_dact").args((long) b * nout, a[l + 1], ra[l + 1]).launch(ph, (long) b * nout, 0);
            }
        }
    }

    @Override
    protected void enqueueHessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        ensurePartial(1);
        ensureCurvature();
        Phase ph = Phase.HESSIAN;
        Object[] sel = sel();
        int n = selection.count(), nb = blocks(), k = spec.outputs();
        for (int j = 0; j < nb; j++) {
            int r0 = j * block, b = Math.min(block, n - r0);
            boolean first = j == 0;
            gather(sel, r0, b, ph);
            forward(sel, w, r0, b, ph);
            rForward(sel, w, v, r0, b, ph);
            if (curvature == Mlp.Curvature.GAUSS_NEWTON) {
                lossp.kernel("loss_curvature").args(b, k, a[layers], ra[layers], g0).launch(ph, b, 0);
                backward(sel, w, r0, b, g0, hv, first, ph);
            } else {
                loss(sel, r0, b, true, j, ph); // g0 = D at the output
                lossp.kernel("loss_curvature").args(b, k, a[layers], ra[layers], rg0).launch(ph, b, 0);
                rBackward(sel, w, v, r0, b, hv, first, ph);
            }
        }
        lp.kernel("layer_scale").args((long) p, n, hv).launch(ph, p, 0);
        if (penalty != null) penalty.add(v, hv, ph); // the dense matrix's columns (H e_c) get theirs here too
    }

    /** The exact backward R-pass from D (g0) and R{D} (rg0) at the output: hv (+)= R{dW}, R{db}. */
    private void rBackward(Object[] sel, DeviceArray w, DeviceArray v, int r0, int b, DeviceArray hv, boolean first,
                           Phase ph) {
        DeviceArray d = g0, dn = g1, rd = rg0, rdn = rg1;
        double beta = first ? 0 : 1;
        for (int l = layers - 1; l >= 0; l--) {
            int nin = spec.width(l), nout = spec.width(l + 1);
            weightSum(sel, r0, b, l, rd, a, hv, beta, ph);                 // R{D}' A_l
            if (l > 0) {
                gemm.gemm(true, false, nout, nin, b, 1, d, 0, nout, ra[l], 0, nin, 1, hv, spec.weightOffset(l), nin, ph); // + D' R{A_l}
            }
            lp.kernel("layer_bias_sum").args(b, nout, rd, hv, (long) spec.biasOffset(l), first ? 1 : 0).launch(ph, nout, 0);
            if (l > 0) {
                long cnt = (long) b * nin;
                gemm.gemm(false, false, b, nin, nout, 1, d, 0, nout, w, spec.weightOffset(l), nin, 0, dn, 0, nin, ph);
                gemm.gemm(false, false, b, nin, nout, 1, rd, 0, nout, w, spec.weightOffset(l), nin, 0, rdn, 0, nin, ph);
                gemm.gemm(false, false, b, nin, nout, 1, d, 0, nout, v, spec.weightOffset(l), nin, 1, rdn, 0, nin, ph);
                lp.kernel("layer_rdact").args(cnt, a[l], ra[l], dn, rdn).launch(ph, cnt, 0);
                lp.kernel("layer_dact").args(cnt, a[l], dn).launch(ph, cnt, 0);
                DeviceArray s = d;
                d = dn;
                dn = s;
                s = rd;
                rd = rdn;
                rdn = s;
            }
        }
    }

    @Override
    protected void enqueueHessian(DeviceArray w, DeviceArray h) {
        if (column == null) {
            column = own(p);
            unit = own(p);
        }
        for (int c = 0; c < p; c++) {
            lp.kernel("layer_unit").args(p, c, unit).launch(Phase.HESSIAN, p, 0);
            enqueueHessianVector(w, unit, column);
            h.copyRange(column, 0, (long) c * p, p, Phase.HESSIAN);
        }
        lp.kernel("layer_symmetrize").args(p, h).launch(Phase.HESSIAN, (long) p * p, 0);
    }

    @Override
    protected void enqueueLosses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        ensurePartial(1);
        for (int j = 0; j < m; j++) {
            lp.kernel("layer_step").args(p, w, direction, steps, j, stepParams).launch(Phase.LOSS, p, 0);
            lossOf(stepParams, out, j, Phase.LOSS);
        }
    }

    @Override
    public void close() {
        if (penalty != null) penalty.close();
        for (DeviceArray x : owned) {
            if (x != null && !x.isClosed()) x.close();
        }
        owned.clear();
        gemm.close();
        super.close();
    }
}
