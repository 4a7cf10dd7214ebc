package io.descent.objective;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.objective.MlpSpec.Activation;
import io.descent.objective.NetworkSpec.Loss;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Accuracy} (the forward pass, losses.cl's {@code loss_correct}, the block sum and the
 * finisher) against plain-Java float64 references, in float32 and float64, on random rows whose count
 * (1,037, 533, 211) is a multiple of no work-group or tile size. Rows whose reference margin is within
 * 1e-4 of a tie are left out of the data, so the device's rounding cannot flip a class; the accuracy
 * is then a count over n, equal to the reference to the precision's rounding of k/n.
 */
class AccuracyTest {
    private static final ClRuntime RT = TestDevices.runtime();

    @ParameterizedTest
    @EnumSource(Precision.class)
    void logisticRegressionClassesAreTheSignOfTheMargin(Precision p) {
        Random rnd = new Random(3);
        int cols = 7;
        double[] w = MlpTest.round(p, MlpTest.gaussian(p, cols + 1, rnd));
        Dataset d = rows(p, 1037, cols, rnd, x -> {
            double z = w[0];
            for (int j = 0; j < cols; j++) z += w[j + 1] * x[j];
            return new double[]{z};
        }, 1);
        assertAccuracy(p, d, w, data -> new LogisticRegression(data, true, 0), 1);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void softmaxNetworksClassesAreTheLargestOutput(Precision p) {
        NetworkSpec spec = new NetworkSpec(5, List.of(6), 4, Activation.TANH, Loss.SOFTMAX);
        Random rnd = new Random(5);
        double[] w = MlpTest.round(p, spec.initialParameters(rnd));
        NetworkReference ref = new NetworkReference(spec, null);
        Dataset d = rows(p, 533, 5, rnd, x -> ref.outputs(w, Dataset.of("row", 1, 5, x, new double[1]), 0), 4);
        assertAccuracy(p, d, w, data -> new Network(data, spec), 4);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void fusedBinaryNetworksThresholdTheirOutputAtZero(Precision p) {
        MlpSpec spec = new MlpSpec(3, List.of(5, 4), Activation.SIGMOID, MlpSpec.Loss.BCE);
        Random rnd = new Random(7);
        double[] w = MlpTest.round(p, spec.initialParameters(rnd));
        MlpReference ref = new MlpReference(spec, false);
        Dataset d = rows(p, 211, 3, rnd, x -> new double[]{ref.output(w, x)}, 1);
        assertAccuracy(p, d, w, data -> new Mlp(data, spec), 1);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void aRegressionHasNoAccuracy(Precision p) {
        Dataset d = Dataset.of("r", 9, 2, new double[18], new double[9]);
        try (DeviceDataset dd = new DeviceDataset(RT, d, p); LinearRegression m = new LinearRegression(dd, true, 0)) {
            assertNull(Accuracy.of(m, dd));
        }
    }

    /**
     * n rows of gaussian features whose outputs (by {@code out}) are clear of a tie, each with a label
     * that the reference's class matches for about two rows in three.
     */
    private static Dataset rows(Precision p, int n, int cols, Random rnd,
                                java.util.function.Function<double[], double[]> out, int k) {
        double[] x = new double[n * cols];
        double[] y = new double[n];
        int r = 0;
        while (r < n) {
            double[] row = MlpTest.round(p, MlpTest.gaussian(p, cols, rnd));
            double[] z = out.apply(row);
            int c = predicted(z);
            if (margin(z) < 1e-4) continue;
            System.arraycopy(row, 0, x, r * cols, cols);
            y[r++] = rnd.nextInt(3) < 2 ? c : (c + 1 + rnd.nextInt(Math.max(1, k - 1))) % Math.max(2, k);
        }
        return Dataset.of("accuracy", n, cols, x, y);
    }

    private static int predicted(double[] z) {
        if (z.length == 1) return z[0] > 0 ? 1 : 0;
        int best = 0;
        for (int k = 1; k < z.length; k++) if (z[k] > z[best]) best = k;
        return best;
    }

    /** How far the outputs are from changing class: |z| for one output, the gap between the two largest. */
    private static double margin(double[] z) {
        if (z.length == 1) return Math.abs(z[0]);
        double a = Double.NEGATIVE_INFINITY, b = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            if (v > a) {
                b = a;
                a = v;
            } else if (v > b) {
                b = v;
            }
        }
        return a - b;
    }

    private static void assertAccuracy(Precision p, Dataset d, double[] w,
                                       java.util.function.Function<DeviceDataset, Objective> model, int k) {
        try (DeviceDataset dd = new DeviceDataset(RT, d, p); Objective m = model.apply(dd);
             Accuracy a = Accuracy.of(m, dd); DeviceArray dw = RT.upload(p, w); DeviceArray out = RT.upload(p, new double[]{-1, -1, -1})) {
            a.enqueue(dw, out, 1);
            a.enqueue(dw, out, 2); // a second evaluation reuses the device memory of the first
            double[] got = out.read();
            // the reference: the classes of the rows' float64 outputs (already clear of ties)
            int right = 0;
            for (int i = 0; i < d.rows(); i++) {
                double[] row = new double[d.cols()];
                for (int j = 0; j < d.cols(); j++) row[j] = d.x(i, j);
                if (d.y()[i] == referenceClass(m, w, row, k)) right++;
            }
            double want = (double) right / d.rows();
            double tol = p == Precision.FP64 ? 1e-15 : 1e-7;
            assertEquals(want, got[1], tol, p + " " + m.name());
            assertEquals(got[1], got[2], 0, "the same parameters, the same accuracy");
            assertEquals(-1, got[0], 0, "other slots untouched");
        }
    }

    private static int referenceClass(Objective m, double[] w, double[] row, int k) {
        double[] z;
        if (m instanceof LogisticRegression) {
            double s = w[0];
            for (int j = 0; j < row.length; j++) s += w[j + 1] * row[j];
            z = new double[]{s};
        } else if (m instanceof Network n) {
            z = new NetworkReference(n.spec(), null).outputs(w, Dataset.of("row", 1, row.length, row, new double[1]), 0);
        } else {
            z = new double[]{new MlpReference(((Mlp) m).spec(), false).output(w, row)};
        }
        return predicted(z);
    }
}
