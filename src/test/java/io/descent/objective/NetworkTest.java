package io.descent.objective;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.objective.MlpSpec.Activation;
import io.descent.objective.NetworkSpec.Loss;
import io.descent.optim.Optimizer;
import io.descent.optim.Optimizers;
import io.descent.optim.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Network} on the real device against {@link NetworkReference} (plain Java, float64), in float32
 * and float64: hidden widths 1, 7, 65 and 257, K = 1, 3 and 10 outputs, every loss and activation,
 * 53 rows in blocks of 16 (so the last block has 5 rows and no size is a multiple of a block or a
 * GEMM tile), and a mini-batch of 29 gathered rows.
 *
 * <p><b>Tolerances.</b> The reference runs on the values the device holds (data, parameters, v
 * rounded to its precision), so the difference is the device's rounding. Each vector is compared in
 * the max norm, relative to max(1, its largest reference value): 1e-9 in float64, 5e-4 in float32
 * (dot products of up to 257 terms, then sums over 53 rows, at u = 6e-8, leave errors of a few 1e-6
 * of the terms' size; cancellation in a sum of terms of mixed sign can lift that relative to the
 * result tenfold). A wrong index or missing term gives errors of the order of the values.
 * The exact H v is compared with central differences of the reference gradient (h = 1e-5: error
 * about 1e-10 of the values), held to 1e-6 in float64; ReLU networks are left out of that check
 * (a difference step may cross a kink).
 */
class NetworkTest {
    static final int ROWS = 53;
    static final int BLOCK = 16;

    record Case(String label, NetworkSpec spec, Precision precision) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<Case> cases() {
        List<Case> cs = new ArrayList<>();
        int[] widths = {1, 7, 65, 257};
        Activation[] acts = {Activation.TANH, Activation.RELU, Activation.SIGMOID, Activation.IDENTITY};
        for (Precision p : Precision.values()) {
            for (int wi = 0; wi < widths.length; wi++) {
                int width = widths[wi];
                Activation act = acts[wi];
                for (int k : new int[]{1, 3, 10}) {
                    Loss loss = k == 10 ? Loss.SOFTMAX : (wi % 2 == 0 ? Loss.MSE : Loss.BCE);
                    cs.add(c(p, new NetworkSpec(5, List.of(width, 3), k, act, loss)));
                }
            }
            cs.add(c(p, new NetworkSpec(6, List.of(7), 3, Activation.TANH, Loss.SOFTMAX)));
            cs.add(c(p, new NetworkSpec(6, List.of(), 4, Activation.IDENTITY, Loss.SOFTMAX)));
            cs.add(c(p, new NetworkSpec(9, List.of(), 1, Activation.IDENTITY, Loss.MSE)));
        }
        return cs.stream();
    }

    static Case c(Precision p, NetworkSpec s) {
        return new Case(p.label() + " " + s.describe(), s, p);
    }

    /** Data, parameters and the device objective of one case. */
    static final class Fixture implements AutoCloseable {
        final Case c;
        final Precision p;
        final Dataset data;
        final double[] targets;
        final double[] w;
        final NetworkReference ref;
        final DeviceDataset dd;
        final Network net;
        final DeviceArray dw;

        Fixture(Case c, Mlp.Curvature curvature) {
            this.c = c;
            this.p = c.precision();
            NetworkSpec s = c.spec();
            Random rnd = new Random(c.label().hashCode());
            this.w = MlpTest.round(p, s.initialParameters(rnd));
            double[] x = MlpTest.gaussian(p, ROWS * s.dimIn(), rnd);
            double[] y = new double[ROWS];
            int k = s.outputs();
            boolean multi = s.loss() != Loss.SOFTMAX && k > 1;
            double[] t = multi ? new double[ROWS * k] : null;
            for (int r = 0; r < ROWS; r++) {
                double sum = 0;
                for (int j = 0; j < s.dimIn(); j++) sum += x[r * s.dimIn() + j];
                y[r] = switch (s.loss()) {
                    case MSE -> p.round(sum + 0.1 * rnd.nextGaussian());
                    case BCE -> sum + rnd.nextGaussian() > 0 ? 1 : 0;
                    case SOFTMAX -> Math.floorMod((int) Math.floor(2 * sum), k);
                };
                if (multi) {
                    for (int o = 0; o < k; o++) {
                        t[r * k + o] = s.loss() == Loss.MSE ? p.round(sum * (o + 1) / k + 0.1 * rnd.nextGaussian())
                                : (rnd.nextDouble() < 0.5 ? 1 : 0);
                    }
                }
            }
            this.targets = t;
            this.data = Dataset.of("network-test", ROWS, s.dimIn(), x, y);
            this.ref = new NetworkReference(s, t);
            ClRuntime rt = TestDevices.runtime();
            this.dd = new DeviceDataset(rt, data, p);
            this.net = new Network(dd, s, curvature, t, BLOCK * Network.bytesPerRow(s, p));
            this.dw = rt.upload(p, w);
        }

        double tol() {
            return p == Precision.FP64 ? 1e-9 : 5e-4;
        }

        @Override
        public void close() {
            dw.close();
            net.close();
            dd.close();
        }
    }

    static void close(String what, double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1, err = 0;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        int worst = -1;
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(expected[i] - actual[i]);
            if (!(e <= err)) {
                err = e;
                worst = i;
            }
        }
        assertTrue(err <= tol * scale, what + ": max error " + err + " at " + worst + " (expected " + (worst < 0 ? 0
                : expected[worst]) + ", got " + (worst < 0 ? 0 : actual[worst]) + "), allowed " + tol * scale);
    }

    static int[] allRows() {
        int[] r = new int[ROWS];
        for (int i = 0; i < ROWS; i++) r[i] = i;
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lossGradientAndGaussNewton(Case c) {
        try (Fixture f = new Fixture(c, Mlp.Curvature.GAUSS_NEWTON)) {
            assertTrue(f.net.blockRows() == BLOCK, "blocks of " + BLOCK + " rows, got " + f.net.blockRows());
            double loss = f.net.loss(f.dw);
            double refLoss = f.ref.loss(f.w, f.data);
            close("loss", new double[]{refLoss}, new double[]{loss}, f.tol());
            try (DeviceArray g = f.net.runtime().allocate(f.p, f.w.length)) {
                double l2 = f.net.lossAndGradient(f.dw, g);
                close("loss with gradient", new double[]{refLoss}, new double[]{l2}, f.tol());
                close("gradient", f.ref.gradient(f.w, f.data), g.read(), f.tol());
            }
            double[] v = MlpTest.gaussian(f.p, f.w.length, new Random(3));
            try (DeviceArray dv = f.net.runtime().upload(f.p, v); DeviceArray hv = f.net.runtime().allocate(f.p, v.length)) {
                f.net.hessianVector(f.dw, dv, hv);
                close("G v", f.ref.gaussNewtonVector(f.w, v, f.data, allRows()), hv.read(), f.tol());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exactHessianVector(Case c) {
        if (c.spec().activation() == Activation.RELU) return; // kinks: see the class comment
        try (Fixture f = new Fixture(c, Mlp.Curvature.EXACT)) {
            double[] v = MlpTest.gaussian(f.p, f.w.length, new Random(5));
            try (DeviceArray dv = f.net.runtime().upload(f.p, v); DeviceArray hv = f.net.runtime().allocate(f.p, v.length)) {
                f.net.hessianVector(f.dw, dv, hv);
                double tol = f.p == Precision.FP64 ? 1e-6 : 5e-4;
                close("H v", f.ref.hessianVectorFd(f.w, v, f.data, allRows(), 1e-5), hv.read(), tol);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void miniBatchOfGatheredRows(Case c) {
        for (boolean rowCopy : new boolean[]{true, false}) miniBatch(c, rowCopy);
    }

    /** With the row-major copy of X (the default where it fits), or gathering from the column-major X. */
    private void miniBatch(Case c, boolean rowCopy) {
        try (Fixture f = new Fixture(c, Mlp.Curvature.GAUSS_NEWTON)) {
            if (!rowCopy) f.net.gatherFromColumns();
            int[] perm = allRows();
            Random rnd = new Random(9);
            for (int i = perm.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            int count = 29;
            int[] rows = java.util.Arrays.copyOf(perm, count);
            try (IndexArray idx = IndexArray.upload(f.net.runtime(), perm);
                 DeviceArray g = f.net.runtime().allocate(f.p, f.w.length)) {
                f.net.useRows(idx, count);
                assertEquals(count, f.net.batchRows());
                double l = f.net.lossAndGradient(f.dw, g);
                close("batch loss", new double[]{f.ref.loss(f.w, f.data, rows)}, new double[]{l}, f.tol());
                close("batch gradient", f.ref.gradient(f.w, f.data, rows), g.read(), f.tol());
                f.net.useAllRows();
                close("all rows again", new double[]{f.ref.loss(f.w, f.data)}, new double[]{f.net.loss(f.dw)}, f.tol());
            }
        }
    }

    /** Line-search losses: f(w + s_j d) for several j in one call, against the reference. */
    @Test
    void lossesAlongADirection() {
        for (Precision p : Precision.values()) {
            Case c = c(p, new NetworkSpec(5, List.of(7, 3), 3, Activation.TANH, Loss.SOFTMAX));
            try (Fixture f = new Fixture(c, Mlp.Curvature.EXACT)) {
                double[] d = MlpTest.gaussian(p, f.w.length, new Random(2));
                double[] steps = {0, 0.5, -0.25};
                try (DeviceArray dd = f.net.runtime().upload(p, d); DeviceArray ds = f.net.runtime().upload(p, steps);
                     DeviceArray out = f.net.runtime().allocate(p, steps.length)) {
                    f.net.losses(f.dw, dd, ds, steps.length, out);
                    double[] expected = new double[steps.length];
                    for (int j = 0; j < steps.length; j++) {
                        double[] wj = f.w.clone();
                        for (int i = 0; i < wj.length; i++) wj[i] = p.round(wj[i] + p.round(steps[j] * d[i]));
                        expected[j] = f.ref.loss(wj, f.data);
                    }
                    close("losses " + p.label(), expected, out.read(), f.tol());
                }
            }
        }
    }

    /** The dense matrix (softmax regression, 3 classes): column j is H e_j, and it is symmetric. */
    @Test
    void denseHessianOfSoftmaxRegression() {
        Case c = c(Precision.FP64, new NetworkSpec(4, List.of(), 3, Activation.IDENTITY, Loss.SOFTMAX));
        try (Fixture f = new Fixture(c, Mlp.Curvature.EXACT)) {
            int p = f.w.length;
            try (DeviceArray h = f.net.runtime().allocate(f.p, (long) p * p)) {
                f.net.hessian(f.dw, h);
                double[] hh = h.read();
                for (int j = 0; j < p; j++) {
                    double[] e = new double[p];
                    e[j] = 1;
                    double[] col = f.ref.gaussNewtonVector(f.w, e, f.data, allRows()); // GN = H for a linear model
                    double[] got = new double[p];
                    for (int i = 0; i < p; i++) got[i] = hh[i * p + j];
                    close("H column " + j, col, got, 1e-9);
                    for (int i = 0; i < p; i++) assertEquals(hh[i * p + j], hh[j * p + i], 0, "symmetric");
                }
            }
        }
    }

    /** One output, MSE or BCE: the same loss and gradient as the fused kernel's {@link Mlp}. */
    @Test
    void agreesWithTheFusedKernel() {
        for (MlpSpec.Loss loss : MlpSpec.Loss.values()) {
            MlpSpec ms = new MlpSpec(5, List.of(7, 4), Activation.TANH, loss);
            Case c = c(Precision.FP64, NetworkSpec.of(ms));
            try (Fixture f = new Fixture(c, Mlp.Curvature.EXACT); Mlp m = new Mlp(f.dd, ms);
                 DeviceArray g1 = f.net.runtime().allocate(f.p, f.w.length);
                 DeviceArray g2 = f.net.runtime().allocate(f.p, f.w.length)) {
                assertEquals(ms.parameterCount(), f.net.parameterCount());
                double l1 = f.net.lossAndGradient(f.dw, g1), l2 = m.lossAndGradient(f.dw, g2);
                close("loss vs mlp.cl", new double[]{l2}, new double[]{l1}, 1e-12);
                close("gradient vs mlp.cl", g2.read(), g1.read(), 1e-12);
            }
        }
    }

    @Test
    void refusesWhatCannotRunWithAMessage() {
        ClRuntime rt = TestDevices.runtime();
        Dataset d = Dataset.of("labels", 4, 2, new double[]{1, 2, 3, 4, 5, 6, 7, 8}, new double[]{0, 1, 2, 3});
        try (DeviceDataset dd = new DeviceDataset(rt, d, Precision.FP32)) {
            UsageException e = assertThrows(UsageException.class, () -> new Network(dd,
                    new NetworkSpec(2, List.of(), 3, Activation.IDENTITY, Loss.SOFTMAX)));
            assertTrue(e.getMessage().contains("labels 0..2") && e.getMessage().contains("3.0"), e.getMessage());
            UsageException big = assertThrows(UsageException.class, () -> new Network(dd,
                    new NetworkSpec(2, List.of(100_000), 4, Activation.IDENTITY, Loss.SOFTMAX), Mlp.Curvature.EXACT,
                    null, 1 << 20));
            assertTrue(big.getMessage().contains("per row") && big.getMessage().contains("1048576"), big.getMessage());
            UsageException multi = assertThrows(UsageException.class, () -> new Network(dd,
                    new NetworkSpec(2, List.of(), 3, Activation.IDENTITY, Loss.MSE)));
            assertTrue(multi.getMessage().contains("3 outputs"), multi.getMessage());
        }
    }

    /** The fused kernel takes a network up to the tuning's MLP_FUSED_MAX, and never past 64. */
    @Test
    void theFusedOrLayeredChoiceFollowsTheTuning() {
        ClRuntime rt = TestDevices.runtime();
        MlpSpec w10 = new MlpSpec(4, List.of(10, 10), Activation.TANH, MlpSpec.Loss.MSE);
        MlpSpec w64 = new MlpSpec(4, List.of(64), Activation.TANH, MlpSpec.Loss.MSE);
        MlpSpec w65 = new MlpSpec(4, List.of(65), Activation.TANH, MlpSpec.Loss.MSE);
        for (int max : new int[]{8, 10, 64}) {
            io.descent.cl.DeviceTuning t = io.descent.cl.DeviceTuning.named(rt.deviceTuning().entryName(), rt.device(),
                    "MLP_FUSED_MAX=" + max);
            try (ClRuntime r = ClRuntime.open(rt.device(), t)) {
                assertEquals(max >= 10, Network.fused(w10, r), "width 10 under MLP_FUSED_MAX=" + max);
                assertEquals(max >= 64, Network.fused(w64, r), "width 64 under MLP_FUSED_MAX=" + max);
                assertTrue(!Network.fused(w65, r), "past mlp.cl's private arrays, whatever the tuning");
            }
        }
    }

    /** 784-1024-1024-10 (1.86 million parameters) takes Adam steps on 300 rows; the loss falls. */
    @Test
    void wideNetworkTrains() throws Exception {
        NetworkSpec s = new NetworkSpec(784, List.of(1024, 1024), 10, Activation.RELU, Loss.SOFTMAX);
        int rows = 300;
        Random rnd = new Random(1);
        double[] x = new double[rows * 784];
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            int c = rnd.nextInt(10);
            y[r] = c;
            for (int j = 0; j < 784; j++) x[r * 784 + j] = 0.5 * rnd.nextGaussian() + (j % 10 == c ? 1 : 0);
        }
        ClRuntime rt = TestDevices.runtime();
        try (DeviceDataset dd = new DeviceDataset(rt, Dataset.of("wide", rows, 784, x, y), Precision.FP32);
             Network net = new Network(dd, s);
             Problem pr = new Problem(net, s.initialParameters(new Random(2)));
             Optimizer adam = Optimizers.parse("adam:lr=0.001")) {
            double first = net.loss(pr.params());
            adam.init(pr);
            for (int i = 0; i < 5; i++) adam.step(pr);
            double last = net.loss(pr.params());
            System.out.printf("784-1024x2-10 softmax, 300 rows, fp32: loss %.4f -> %.4f after 5 Adam steps (gemm: %s)%n",
                    first, last, net.gemmEngine());
            assertTrue(last < 0.8 * first, "loss falls: " + first + " -> " + last);
        }
    }
}
