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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Forward} (mlp_predict, linear_predict) against plain-Java float64 forward passes on random
 * rows and parameters, in float32 and float64, at row counts that are no multiple of any vector or
 * work-group size, in one block and in many. The bound is a rounding-error bound: a few units of
 * the precision times the sum of the absolute terms (float32 also rounds the inputs).
 */
class ForwardTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (int n : new int[]{1, 13, 1031}) {
                for (int block : new int[]{Integer.MAX_VALUE, 7}) b.add(Arguments.of(p, n, block));
            }
        }
        return b.build();
    }

    private static double unit(Precision p) {
        return p == Precision.FP64 ? 0x1p-53 : 0x1p-24;
    }

    @ParameterizedTest(name = "{0} n={1} block={2}")
    @MethodSource("cases")
    void linearOutputsMatchTheFormula(Precision prec, int n, int block) {
        ClRuntime rt = TestDevices.runtime();
        for (boolean intercept : new boolean[]{true, false}) {
            int cols = 5;
            Random r = new Random(n * 31L + block + (intercept ? 1 : 0));
            double[] x = normal(r, n * cols);
            double[] w = normal(r, cols + (intercept ? 1 : 0));
            double[] z = Forward.linear(rt, prec, cols, intercept).limitBlock(block).outputs(w, x, n);
            int o = intercept ? 1 : 0;
            for (int i = 0; i < n; i++) {
                double s = intercept ? w[0] : 0, m = intercept ? Math.abs(w[0]) : 0;
                for (int j = 0; j < cols; j++) {
                    s += x[i * cols + j] * w[o + j];
                    m += Math.abs(x[i * cols + j] * w[o + j]);
                }
                double tol = (prec == Precision.FP64 ? cols + 2 : 4) * unit(prec) * m + Double.MIN_NORMAL;
                assertEquals(s, z[i], tol, "row " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1} block={2}")
    @MethodSource("cases")
    void networkOutputsMatchTheFormula(Precision prec, int n, int block) {
        ClRuntime rt = TestDevices.runtime();
        for (MlpSpec.Activation act : MlpSpec.Activation.values()) {
            MlpSpec spec = new MlpSpec(3, List.of(6, 5), act, MlpSpec.Loss.BCE);
            Random r = new Random(n * 17L + block + act.ordinal());
            double[] x = normal(r, n * 3);
            double[] w = spec.initialParameters(r);
            double[] z = Forward.mlp(rt, prec, spec).limitBlock(block).outputs(w, x, n);
            MlpReference exact = new MlpReference(spec, false), size = new MlpReference(spec, true);
            int chain = MlpReference.chain(spec, MlpReference.Kind.LOSS, 1) + 8;
            for (int i = 0; i < n; i++) {
                double[] row = java.util.Arrays.copyOfRange(x, i * 3, i * 3 + 3);
                double want = exact.output(w, row);
                double tol = chain * unit(prec) * size.output(abs(w), abs(row)) + Double.MIN_NORMAL;
                assertEquals(want, z[i], tol, act + " row " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0} n={1} block={2}")
    @MethodSource("cases")
    void aNetworkWithoutHiddenLayersIsTheLinearModel(Precision prec, int n, int block) {
        ClRuntime rt = TestDevices.runtime();
        MlpSpec spec = new MlpSpec(4, List.of(), MlpSpec.Activation.IDENTITY, MlpSpec.Loss.MSE);
        Random r = new Random(n + 5L * block);
        double[] x = normal(r, n * 4);
        double[] w = normal(r, 5);
        double[] lin = {w[4], w[0], w[1], w[2], w[3]}; // the network's bias is last, the linear model's first
        double[] a = Forward.mlp(rt, prec, spec).limitBlock(block).outputs(w, x, n);
        double[] b = Forward.linear(rt, prec, 4, true).outputs(lin, x, n);
        for (int i = 0; i < n; i++) {
            double m = Math.abs(w[4]);
            for (int j = 0; j < 4; j++) m += Math.abs(x[i * 4 + j] * w[j]);
            assertEquals(b[i], a[i], 12 * unit(prec) * m + Double.MIN_NORMAL, "row " + i);
        }
        assertTrue(a.length == n);
    }

    private static double[] normal(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    private static double[] abs(double[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }
}
