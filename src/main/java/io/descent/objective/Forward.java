package io.descent.objective;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.profile.Phase;

import java.util.Map;

/**
 * A model's outputs for new rows on the device, without targets: the forward pass of the
 * objectives' kernels ({@code mlp_predict} in mlp.cl beside the training passes, {@code
 * linear_predict} in predict.cl for linear and logistic models of any width). Rows go to the device
 * in blocks of at most {@link #blockRows()}, so any row count fits; device memory lives only for one
 * {@link #outputs} call.
 *
 * <p>A network of K outputs, or wider than the fused kernel takes, runs as layers ({@link
 * LayeredForward}: {@code Gemm} products and layers.cl's bias and activation kernel); {@link
 * #outputCount()} says K, and {@link #outputs} returns K values per row, row after row.
 */
public abstract class Forward {
    /** Most feature values of one block on the device (32 MiB in float64). */
    static final long BLOCK_VALUES = 1L << 22;

    protected final ClRuntime runtime;
    protected final Precision precision;
    private final int inputs;
    private int blockLimit = Integer.MAX_VALUE;

    Forward(ClRuntime runtime, Precision precision, int inputs) {
        precision.requireSupportedBy(runtime.device());
        this.runtime = runtime;
        this.precision = precision;
        this.inputs = inputs;
    }

    /** z = X w (+ intercept) of a linear or logistic model with {@code cols} features. */
    public static Forward linear(ClRuntime runtime, Precision precision, int cols, boolean intercept) {
        return new Linear(runtime, precision, cols, intercept);
    }

    /**
     * The output of the network {@code spec} (its last layer, before any link function): the fused
     * kernel where training uses it ({@link io.descent.objective.Network#fused}), else layers.
     */
    public static Forward mlp(ClRuntime runtime, Precision precision, MlpSpec spec) {
        if (!io.descent.objective.Network.fused(spec, runtime)) return new LayeredForward(runtime, precision, NetworkSpec.of(spec));
        return new Network(runtime, precision, spec);
    }

    /**
     * The K outputs of the network {@code spec} (before softmax or sigmoid): the fused kernel for a
     * one-output network it takes, as training chooses, else layers.
     */
    public static Forward network(ClRuntime runtime, Precision precision, NetworkSpec spec) {
        MlpSpec m = spec.asMlp();
        if (m != null) return mlp(runtime, precision, m);
        return new LayeredForward(runtime, precision, spec);
    }

    /** Feature columns a row must have. */
    public int inputs() {
        return inputs;
    }

    /** Outputs per row (K for a network of K outputs, else 1). */
    public int outputCount() {
        return 1;
    }

    /** Parameters the model has. */
    public abstract int parameterCount();

    /** Rows per block on the device. */
    public int blockRows() {
        return (int) Math.max(1, Math.min(blockLimit, Math.min(1 << 20, BLOCK_VALUES / inputs)));
    }

    /** Caps the rows per block (tests: many blocks on small data). */
    Forward limitBlock(int rows) {
        this.blockLimit = rows;
        return this;
    }

    /**
     * The outputs for {@code rows} rows of row-major features {@code x} (already on the scale the
     * model was trained on), block by block on the device.
     *
     * @return rows * {@link #outputCount()} values, row after row
     */
    public final double[] outputs(double[] params, double[] x, int rows) {
        if (params.length != parameterCount()) {
            throw new IllegalArgumentException(params.length + " parameters for a model of " + parameterCount());
        }
        if (x.length != (long) rows * inputs) {
            throw new IllegalArgumentException(x.length + " feature values for " + rows + " rows of " + inputs);
        }
        int k = outputCount();
        double[] out = new double[rows * k];
        if (rows == 0) return out;
        int block = Math.min(rows, blockRows());
        double[] colMajor = new double[block * inputs];
        try (DeviceArray w = runtime.upload(precision, params);
             DeviceArray xd = runtime.allocate(precision, (long) block * inputs);
             DeviceArray od = runtime.allocate(precision, (long) block * k)) {
            begin(block);
            for (int r0 = 0; r0 < rows; r0 += block) {
                int n = Math.min(block, rows - r0);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < inputs; j++) colMajor[j * block + i] = x[(r0 + i) * inputs + j];
                }
                xd.write(0, colMajor, 0, block * inputs);
                launch(n, block, xd, w, od);
                double[] part = od.read(0, n * k);
                System.arraycopy(part, 0, out, r0 * k, n * k);
            }
        } finally {
            end();
        }
        return out;
    }

    /** Takes the device memory a pass over blocks of {@code block} rows needs beyond X, w and the outputs. */
    void begin(int block) {
    }

    /** Releases what {@link #begin} took (also after a failure). */
    void end() {
    }

    /** Enqueues out[i] (K per row) for rows i < n of column-major x with column stride {@code stride}. */
    abstract void launch(int n, int stride, DeviceArray x, DeviceArray w, DeviceArray out);

    private static final class Linear extends Forward {
        private final boolean intercept;
        private final Program program;

        Linear(ClRuntime runtime, Precision precision, int cols, boolean intercept) {
            super(runtime, precision, cols);
            this.intercept = intercept;
            Precision acc = runtime.device().fp64() ? Precision.FP64 : precision;
            this.program = runtime.program("predict.cl", precision, Map.of("ACC_PRECISION", Integer.toString(acc.bits())));
        }

        @Override
        public int parameterCount() {
            return inputs() + (intercept ? 1 : 0);
        }

        @Override
        void launch(int n, int stride, DeviceArray x, DeviceArray w, DeviceArray out) {
            program.kernel("linear_predict").args(n, (long) stride, inputs(), intercept ? 1 : 0, x, w, out)
                    .launch(Phase.LOSS, n, 0);
        }
    }

    private static final class Network extends Forward {
        private final MlpSpec spec;
        private final MlpTuning tuning;
        private final Program program;

        Network(ClRuntime runtime, Precision precision, MlpSpec spec) {
            super(runtime, precision, spec.dimIn());
            this.spec = spec;
            this.tuning = MlpTuning.forDevice(runtime.device(), runtime.deviceTuning(), precision, spec);
            this.program = runtime.program("mlp.cl", precision, Mlp.defines(spec, tuning));
        }

        @Override
        public int parameterCount() {
            return spec.parameterCount();
        }

        @Override
        public int blockRows() {
            int b = super.blockRows();
            return Math.max(tuning.vec(), b - b % tuning.vec());
        }

        @Override
        void launch(int n, int stride, DeviceArray x, DeviceArray w, DeviceArray out) {
            program.kernel("mlp_predict").args(n, (long) stride, x, w, out)
                    .launch(Phase.LOSS, (n + tuning.vec() - 1) / tuning.vec(), 0);
        }
    }

    /** Refuses rows whose column count is not the model's. */
    public void checkColumns(int cols, String what) {
        if (cols != inputs) {
            throw new UsageException(what + " has " + cols + " feature columns; the model takes " + inputs);
        }
    }
}
