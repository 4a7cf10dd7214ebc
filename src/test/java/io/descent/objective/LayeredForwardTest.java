package io.descent.objective;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Forward#network} as layers (Gemm products and layers.cl) against a plain-Java float64
 * forward pass, for networks wider than the fused kernel takes and with K outputs, in float32 and
 * float64, in one block and in blocks of 7 rows; widths and row counts are no multiple of any tile.
 * The bound: per layer a few units of the precision times the sum of the absolute terms, carried
 * through by the activations' Lipschitz constant 1.
 */
class LayeredForwardTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (int block : new int[]{Integer.MAX_VALUE, 7}) b.add(Arguments.of(p, block));
        }
        return b.build();
    }

    static List<NetworkSpec> specs() {
        return List.of(
                new NetworkSpec(5, List.of(70), 3, MlpSpec.Activation.TANH, NetworkSpec.Loss.SOFTMAX),
                new NetworkSpec(4, List.of(67, 65), 1, MlpSpec.Activation.RELU, NetworkSpec.Loss.MSE),
                new NetworkSpec(3, List.of(66), 1, MlpSpec.Activation.SIGMOID, NetworkSpec.Loss.BCE),
                new NetworkSpec(6, List.of(), 5, MlpSpec.Activation.IDENTITY, NetworkSpec.Loss.SOFTMAX));
    }

    @ParameterizedTest(name = "{0} block={1}")
    @MethodSource("cases")
    void outputsMatchTheFormula(Precision prec, int block) {
        ClRuntime rt = TestDevices.runtime();
        int n = 203;
        for (NetworkSpec spec : specs()) {
            Random r = new Random(spec.parameterCount() + block);
            double[] x = new double[n * spec.dimIn()];
            for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
            double[] w = spec.initialParameters(r);
            Forward f = Forward.network(rt, prec, spec).limitBlock(block);
            assertEquals(spec.outputs(), f.outputCount());
            double[] z = f.outputs(w, x, n);
            assertEquals(n * spec.outputs(), z.length);
            double unit = prec == Precision.FP64 ? 0x1p-53 : 0x1p-24;
            int chain = 2;
            for (int l = 0; l < spec.layers(); l++) chain += spec.width(l) + 2;
            for (int i = 0; i < n; i++) {
                double[] row = java.util.Arrays.copyOfRange(x, i * spec.dimIn(), (i + 1) * spec.dimIn());
                double[] want = outputs(spec, w, row, false), size = outputs(spec, w, row, true);
                for (int k = 0; k < spec.outputs(); k++) {
                    double tol = 2 * chain * unit * size[k] + Double.MIN_NORMAL;
                    assertEquals(want[k], z[i * spec.outputs() + k], tol, spec.describe() + " row " + i + " output " + k);
                }
            }
        }
    }

    /** The outputs of one row in float64; with {@code size}, the sums of absolute terms instead. */
    static double[] outputs(NetworkSpec s, double[] w, double[] row, boolean size) {
        double[] a = row.clone();
        if (size) for (int j = 0; j < a.length; j++) a[j] = Math.abs(a[j]);
        for (int l = 0; l < s.layers(); l++) {
            int nin = s.width(l), nout = s.width(l + 1);
            double[] next = new double[nout];
            for (int o = 0; o < nout; o++) {
                double b = w[s.biasOffset(l) + o], z = size ? Math.abs(b) : b;
                for (int j = 0; j < nin; j++) {
                    double t = w[s.weightOffset(l) + o * nin + j] * a[j];
                    z += size ? Math.abs(t) : t;
                }
                // sizes: |act(z)| <= max(|z|, 1) for every activation
                next[o] = l + 1 == s.layers() ? z : size ? Math.max(z, 1) : act(s.activation(), z);
            }
            a = next;
        }
        return a;
    }

    private static double act(MlpSpec.Activation a, double z) {
        return switch (a) {
            case IDENTITY -> z;
            case RELU -> Math.max(z, 0);
            case TANH -> Math.tanh(z);
            case SIGMOID -> 1 / (1 + Math.exp(-z));
        };
    }
}
