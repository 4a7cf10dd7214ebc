package io.descent.objective;

import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.linalg.Gemm;
import io.descent.profile.Phase;

import java.util.Map;

/**
 * The forward pass of a {@link NetworkSpec} network as layers, on a block of rows: the products and
 * kernels of {@link Network}'s training pass (A_(l+1) = act(A_l W_l' + b_l) by {@link Gemm} and
 * layers.cl's {@code layer_bias_act}; the output layer without activation), so a prediction computes
 * what training computed. The K outputs of a row are its logits (softmax, BCE) or values (MSE).
 * Hidden values of a block live in two buffers taken for one {@link #outputs} call.
 */
final class LayeredForward extends Forward {
    private final NetworkSpec spec;
    private final Program program;
    private Gemm gemm;
    private DeviceArray even, odd;

    LayeredForward(ClRuntime runtime, Precision precision, NetworkSpec spec) {
        super(runtime, precision, spec.dimIn());
        this.spec = spec;
        this.program = runtime.program("layers.cl", precision, Map.of("ACT", Integer.toString(spec.activation().code())));
    }

    @Override
    public int outputCount() {
        return spec.outputs();
    }

    @Override
    public int parameterCount() {
        return spec.parameterCount();
    }

    /** Rows per block: X, two hidden buffers and the outputs of a block within the block budget. */
    @Override
    public int blockRows() {
        long perRow = spec.dimIn() + 2L * hiddenWidth() + spec.outputs();
        return (int) Math.max(1, Math.min(super.blockRows(), BLOCK_VALUES / perRow));
    }

    int hiddenWidth() {
        int m = 0;
        for (int h : spec.hidden()) m = Math.max(m, h);
        return m;
    }

    @Override
    void begin(int block) {
        gemm = new Gemm(runtime, precision);
        if (!spec.hidden().isEmpty()) {
            even = runtime.allocate(precision, (long) block * hiddenWidth());
            odd = runtime.allocate(precision, (long) block * hiddenWidth());
        }
    }

    @Override
    void end() {
        if (even != null) even.close();
        if (odd != null) odd.close();
        if (gemm != null) gemm.close();
        even = odd = null;
        gemm = null;
    }

    @Override
    void launch(int n, int stride, DeviceArray x, DeviceArray w, DeviceArray out) {
        int layers = spec.layers();
        DeviceArray in = x;
        for (int l = 0; l < layers; l++) {
            int nin = spec.width(l), nout = spec.width(l + 1);
            boolean last = l + 1 == layers;
            DeviceArray dst = last ? out : l % 2 == 0 ? even : odd;
            // layer 0 reads the column-major block transposed (column stride {@code stride}), as training reads X
            gemm.gemm(l == 0, true, n, nout, nin, 1, in, 0, l == 0 ? stride : nin, w, spec.weightOffset(l), nin, 0,
                    dst, 0, nout, Phase.LOSS);
            program.kernel("layer_bias_act").args(n, nout, w, (long) spec.biasOffset(l), dst, last ? 0 : 1)
                    .launch(Phase.LOSS, (long) n * nout, 0);
            in = dst;
        }
    }
}
