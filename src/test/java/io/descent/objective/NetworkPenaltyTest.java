package io.descent.objective;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceTuning;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.RowSource;
import io.descent.objective.MlpSpec.Activation;
import io.descent.objective.NetworkSpec.Loss;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.descent.objective.NetworkTest.close;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The L2 penalty alpha ||W||^2 of networks on the weights only (biases unpenalised), on the real
 * device against plain-Java float64 references ({@link NetworkReference}, {@link MlpReference}) plus
 * the penalty written from the layout: loss + alpha sum W^2, gradient + 2 alpha W, curvature
 * products + 2 alpha v and the dense matrix + 2 alpha on the weights' diagonal. Both paths (the
 * layered {@link Network}: softmax regression, a softmax network, a one-output MSE network; the fused
 * {@link Mlp}: MSE and BCE), float32 and float64, the cpu and gpu tuning entries, 53 rows in blocks of
 * 16 for the layers, parameters drawn with non-zero biases (a penalised bias would show), alpha 0.05
 * (the penalty is a sizeable share of every quantity). Tolerances are {@link NetworkTest}'s: 1e-9 in
 * float64, 5e-4 in float32, relative to max(1, the largest reference value); the exact H v of the
 * layers against central differences of the reference gradient at 1e-6 in float64 (its own error is
 * about 1e-10).
 */
class NetworkPenaltyTest {
    static final int ROWS = 53;
    static final int BLOCK = 16;
    static final double ALPHA = 0.05;
    private static final Map<String, ClRuntime> RUNTIMES = new HashMap<>();

    static synchronized ClRuntime runtime(String entry) {
        return RUNTIMES.computeIfAbsent(entry, e -> ClRuntime.open(TestDevices.device(),
                DeviceTuning.named(e, TestDevices.device(), null)));
    }

    @AfterAll
    static synchronized void closeRuntimes() {
        RUNTIMES.values().forEach(ClRuntime::close);
        RUNTIMES.clear();
    }

    static Stream<Arguments> layered() {
        List<Arguments> out = new ArrayList<>();
        for (String entry : List.of("cpu", "gpu")) {
            for (Precision p : Precision.values()) {
                out.add(Arguments.of(entry, p, new NetworkSpec(6, List.of(), 4, Activation.IDENTITY, Loss.SOFTMAX)));
                out.add(Arguments.of(entry, p, new NetworkSpec(5, List.of(7, 3), 3, Activation.TANH, Loss.SOFTMAX)));
                out.add(Arguments.of(entry, p, new NetworkSpec(5, List.of(9), 1, Activation.SIGMOID, Loss.MSE)));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> fused() {
        List<Arguments> out = new ArrayList<>();
        for (String entry : List.of("cpu", "gpu")) {
            for (Precision p : Precision.values()) {
                out.add(Arguments.of(entry, p, new MlpSpec(5, List.of(7, 4), Activation.TANH, MlpSpec.Loss.MSE)));
                out.add(Arguments.of(entry, p, new MlpSpec(4, List.of(6), Activation.SIGMOID, MlpSpec.Loss.BCE)));
            }
        }
        return out.stream();
    }

    // ---- the float64 penalty, from the layout -------------------------------------------------

    /** alpha sum of the squared weights W_l[o, i], layer by layer: the biases left out. */
    static double penalty(NetworkSpec s, double alpha, double[] w) {
        double sum = 0;
        for (int l = 0; l < s.layers(); l++) {
            int nin = s.width(l), nout = s.width(l + 1);
            for (int o = 0; o < nout; o++) {
                for (int i = 0; i < nin; i++) {
                    double x = w[s.weightOffset(l) + o * nin + i];
                    sum += x * x;
                }
            }
        }
        return alpha * sum;
    }

    /** out + 2 alpha v on the weights (a copy). */
    static double[] plusPenalty(NetworkSpec s, double alpha, double[] out, double[] v) {
        double[] r = out.clone();
        for (int l = 0; l < s.layers(); l++) {
            int nin = s.width(l), nout = s.width(l + 1);
            for (int o = 0; o < nout; o++) {
                for (int i = 0; i < nin; i++) {
                    int k = s.weightOffset(l) + o * nin + i;
                    r[k] += 2 * alpha * v[k];
                }
            }
        }
        return r;
    }

    /** The dense p x p matrix whose columns are {@code column} of e_j, plus 2 alpha on the weights' diagonal. */
    static double[] dense(NetworkSpec s, double alpha, int p, Function<double[], double[]> column) {
        double[] h = new double[p * p];
        for (int j = 0; j < p; j++) {
            double[] e = new double[p];
            e[j] = 1;
            double[] c = plusPenalty(s, alpha, column.apply(e), e);
            for (int i = 0; i < p; i++) h[i * p + j] = c[i];
        }
        return h;
    }

    static double tol(Precision p) {
        return p == Precision.FP64 ? 1e-9 : 5e-4;
    }

    /** Data of a spec: x ~ N(0, 1), targets as NetworkTest draws them (classes, sums, 0/1). */
    static Dataset data(NetworkSpec s, Precision p, Random rnd) {
        double[] x = MlpTest.gaussian(p, ROWS * s.dimIn(), rnd);
        double[] y = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            double sum = 0;
            for (int j = 0; j < s.dimIn(); j++) sum += x[r * s.dimIn() + j];
            y[r] = switch (s.loss()) {
                case MSE -> p.round(sum + 0.1 * rnd.nextGaussian());
                case BCE -> sum + rnd.nextGaussian() > 0 ? 1 : 0;
                case SOFTMAX -> Math.floorMod((int) Math.floor(2 * sum), s.outputs());
            };
        }
        return Dataset.of("penalty-test", ROWS, s.dimIn(), x, y);
    }

    /** Parameters ~ N(0, 0.5^2), biases included, rounded to the device's precision. */
    static double[] params(int n, Precision p, Random rnd) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = p.round(0.5 * rnd.nextGaussian());
        return w;
    }

    static int[] all() {
        return NetworkTest.allRows();
    }

    /** f(w + s_j d) as the device forms the candidates: w + s_j d rounded to the working precision. */
    static double[] lineLosses(Precision p, double[] w, double[] d, double[] steps, Function<double[], Double> f) {
        double[] out = new double[steps.length];
        for (int j = 0; j < steps.length; j++) {
            double[] wj = w.clone();
            for (int i = 0; i < wj.length; i++) wj[i] = p.round(wj[i] + p.round(steps[j] * d[i]));
            out[j] = f.apply(wj);
        }
        return out;
    }

    // ---- the layered network ----------------------------------------------------------------

    @ParameterizedTest(name = "{0} entry, {1}, {2}")
    @MethodSource("layered")
    void theLayeredNetworkAddsThePenaltyToEveryQuantity(String entry, Precision p, NetworkSpec s) {
        ClRuntime rt = runtime(entry);
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        Random rnd = new Random(s.describe().hashCode() + 31L * p.bits());
        Dataset data = data(s, p, rnd);
        int np = s.parameterCount();
        double[] w = params(np, p, rnd);
        double[] v = MlpTest.gaussian(p, np, rnd);
        double[] steps = {0, 0.5, -0.25};
        NetworkReference ref = new NetworkReference(s, null);
        double t = tol(p);
        Function<double[], Double> loss = x -> ref.loss(x, data) + penalty(s, ALPHA, x);
        try (DeviceDataset dd = new DeviceDataset(rt, data, p);
             DeviceArray dw = rt.upload(p, w); DeviceArray dv = rt.upload(p, v); DeviceArray g = rt.allocate(p, np);
             DeviceArray hv = rt.allocate(p, np); DeviceArray h = rt.allocate(p, (long) np * np);
             DeviceArray ds = rt.upload(p, steps); DeviceArray out = rt.allocate(p, steps.length)) {
            long bytes = BLOCK * Network.bytesPerRow(s, p);
            try (Network gn = new Network(dd, s, Mlp.Curvature.GAUSS_NEWTON, null, bytes, ALPHA)) {
                assertEquals(BLOCK, gn.blockRows(), "several row blocks");
                assertEquals(ALPHA, gn.alpha());
                double refLoss = loss.apply(w);
                assertTrue(penalty(s, ALPHA, w) > 0.05 * refLoss, "the penalty is a sizeable share of the loss");
                close("loss", new double[]{refLoss}, new double[]{gn.loss(dw)}, t);
                close("loss with gradient", new double[]{refLoss}, new double[]{gn.lossAndGradient(dw, g)}, t);
                double[] refGrad = plusPenalty(s, ALPHA, ref.gradient(w, data), w);
                close("gradient", refGrad, g.read(), t);
                gn.hessianVector(dw, dv, hv);
                close("G v", plusPenalty(s, ALPHA, ref.gaussNewtonVector(w, v, data, all()), v), hv.read(), t);
                gn.hessian(dw, h);
                close("dense Gauss-Newton matrix", dense(s, ALPHA, np, e -> ref.gaussNewtonVector(w, e, data, all())),
                        h.read(), t);
                gn.losses(dw, dv, ds, steps.length, out);
                close("losses along a direction", lineLosses(p, w, v, steps, loss), out.read(), t);
                // a mini-batch: the mean over its rows plus the same penalty
                int[] rows = {3, 50, 7, 7, 21, 0, 44, 12, 31, 29, 18};
                try (IndexArray idx = IndexArray.upload(rt, rows)) {
                    gn.useRows(idx, rows.length);
                    double bl = gn.lossAndGradient(dw, g);
                    close("batch loss", new double[]{ref.loss(w, data, rows) + penalty(s, ALPHA, w)}, new double[]{bl}, t);
                    close("batch gradient", plusPenalty(s, ALPHA, ref.gradient(w, data, rows), w), g.read(), t);
                    gn.useAllRows();
                }
            }
            try (Network exact = new Network(dd, s, Mlp.Curvature.EXACT, null, bytes, ALPHA)) {
                exact.hessianVector(dw, dv, hv);
                double hvTol = p == Precision.FP64 ? 1e-6 : 5e-4;
                close("H v", plusPenalty(s, ALPHA, ref.hessianVectorFd(w, v, data, all(), 1e-5), v), hv.read(), hvTol);
                if (s.hidden().isEmpty()) { // softmax regression: H = G, so the dense matrix has an exact reference
                    exact.hessian(dw, h);
                    close("dense Hessian", dense(s, ALPHA, np, e -> ref.gaussNewtonVector(w, e, data, all())), h.read(), t);
                }
            }
        }
    }

    // ---- the fused kernel -------------------------------------------------------------------

    @ParameterizedTest(name = "{0} entry, {1}, {2}")
    @MethodSource("fused")
    void theFusedKernelAddsThePenaltyToEveryQuantityAndAgreesWithTheLayers(String entry, Precision p, MlpSpec spec) {
        ClRuntime rt = runtime(entry);
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        NetworkSpec s = NetworkSpec.of(spec);
        Random rnd = new Random(spec.describe().hashCode() + 17L * p.bits());
        Dataset data = data(s, p, rnd);
        int np = spec.parameterCount();
        double[] w = params(np, p, rnd);
        double[] v = MlpTest.gaussian(p, np, rnd);
        double[] steps = {0, 0.5, -0.25, 0.125};
        MlpReference ref = new MlpReference(spec, false);
        double t = tol(p);
        Function<double[], Double> loss = x -> ref.loss(x, data, null) + penalty(s, ALPHA, x);
        try (DeviceDataset dd = new DeviceDataset(rt, data, p);
             DeviceArray dw = rt.upload(p, w); DeviceArray dv = rt.upload(p, v); DeviceArray g = rt.allocate(p, np);
             DeviceArray g2 = rt.allocate(p, np); DeviceArray hv = rt.allocate(p, np);
             DeviceArray h = rt.allocate(p, (long) np * np);
             DeviceArray ds = rt.upload(p, steps); DeviceArray out = rt.allocate(p, steps.length)) {
            for (Mlp.Curvature c : Mlp.Curvature.values()) {
                try (Mlp m = new Mlp(dd, spec, c, ALPHA);
                     Network layers = new Network(dd, s, c, null, BLOCK * Network.bytesPerRow(s, p), ALPHA)) {
                    assertEquals(ALPHA, m.alpha());
                    double refLoss = loss.apply(w);
                    close("loss", new double[]{refLoss}, new double[]{m.loss(dw)}, t);
                    double lg = m.lossAndGradient(dw, g);
                    close("loss with gradient", new double[]{refLoss}, new double[]{lg}, t);
                    close("gradient", plusPenalty(s, ALPHA, ref.gradient(w, data, null), w), g.read(), t);
                    double[] curv = c == Mlp.Curvature.EXACT ? ref.hessian(w, data) : ref.gaussNewton(w, data);
                    double[] refH = curv.clone();
                    double[] mask = s.weightMask();
                    for (int k = 0; k < np; k++) refH[k * np + k] += 2 * ALPHA * mask[k];
                    m.hessianVector(dw, dv, hv);
                    close(c + " H v", MlpReference.matVec(refH, v), hv.read(), t);
                    m.hessian(dw, h);
                    close(c + " dense matrix", refH, h.read(), t);
                    m.losses(dw, dv, ds, steps.length, out);
                    close("losses along a direction", lineLosses(p, w, v, steps, loss), out.read(), t);
                    // the layered path of the same network: the same function, penalty included
                    double ll = layers.lossAndGradient(dw, g2);
                    close("layers' loss", new double[]{lg}, new double[]{ll}, t);
                    close("layers' gradient", g.read(), g2.read(), t);
                }
            }
        }
    }

    // ---- blocks of rows, alpha 0, refusals ----------------------------------------------------

    /**
     * Streamed in chunks of 17 rows and split in two blocks, each block's result carries the penalty
     * and weighs in by its share of rows: the penalty counts once, as in memory.
     */
    @Test
    void streamedAndSplitRowsCountThePenaltyOnce() {
        ClRuntime rt = TestDevices.runtime();
        Precision p = rt.device().fp64() ? Precision.FP64 : Precision.FP32;
        NetworkSpec s = new NetworkSpec(5, List.of(7), 3, Activation.TANH, Loss.SOFTMAX);
        Random rnd = new Random(5);
        Dataset data = data(s, p, rnd);
        int np = s.parameterCount();
        double[] w = params(np, p, rnd);
        double[] v = MlpTest.gaussian(p, np, rnd);
        Function<DeviceDataset, Objective> make = d -> Network.softmaxNetwork(d, s.hidden(), s.activation(),
                Mlp.Curvature.EXACT, s.outputs(), ALPHA);
        NetworkReference ref = new NetworkReference(s, null);
        double t = tol(p);
        try (DeviceDataset dd = new DeviceDataset(rt, data, p); Objective whole = make.apply(dd);
             ChunkedObjective streamed = new ChunkedObjective(rt, p, RowSource.of(data), 17, make);
             SplitObjective split = new SplitObjective(List.of(rt, rt), p, data, new double[]{1, 2}, make);
             DeviceArray dw = rt.upload(p, w); DeviceArray dv = rt.upload(p, v);
             DeviceArray g = rt.allocate(p, np); DeviceArray hv = rt.allocate(p, np)) {
            assertEquals(ALPHA, streamed.model().alpha());
            double refLoss = ref.loss(w, data) + penalty(s, ALPHA, w);
            double[] refGrad = plusPenalty(s, ALPHA, ref.gradient(w, data), w);
            for (Objective f : List.of(whole, streamed, split)) {
                String what = f == whole ? "in memory" : f == streamed ? "streamed" : "split";
                close(what + " loss", new double[]{refLoss}, new double[]{f.lossAndGradient(dw, g)}, t);
                close(what + " gradient", refGrad, g.read(), t);
                f.hessianVector(dw, dv, hv);
                double[] refHv = plusPenalty(s, ALPHA, ref.hessianVectorFd(w, v, data, all(), 1e-5), v);
                close(what + " H v", refHv, hv.read(), p == Precision.FP64 ? 1e-6 : 5e-4);
            }
        }
    }

    /** Without a penalty no penalty kernel runs, and the values are the unpenalised ones. */
    @Test
    void alphaZeroLaunchesNothingExtra() {
        ClRuntime rt = TestDevices.runtime();
        Precision p = Precision.FP32;
        MlpSpec spec = new MlpSpec(4, List.of(5), Activation.TANH, MlpSpec.Loss.MSE);
        NetworkSpec s = NetworkSpec.of(spec);
        Random rnd = new Random(8);
        Dataset data = data(s, p, rnd);
        double[] w = params(spec.parameterCount(), p, rnd);
        try (DeviceDataset dd = new DeviceDataset(rt, data, p); Mlp m = new Mlp(dd, spec, Mlp.Curvature.EXACT, 0);
             Network n = new Network(dd, s, Mlp.Curvature.EXACT, null, Network.DEFAULT_BLOCK_BYTES, 0);
             DeviceArray dw = rt.upload(p, w); DeviceArray g = rt.allocate(p, w.length);
             DeviceArray hv = rt.allocate(p, w.length); DeviceArray h = rt.allocate(p, (long) w.length * w.length)) {
            long before = penaltyLaunches(rt);
            for (Objective f : List.of(m, n)) {
                double l = f.lossAndGradient(dw, g);
                f.hessianVector(dw, g, hv);
                f.hessian(dw, h);
                close("unpenalised loss", new double[]{new MlpReference(spec, false).loss(w, data, null)}, new double[]{l},
                        tol(p));
            }
            rt.finish();
            assertEquals(before, penaltyLaunches(rt), "no penalty kernel at alpha 0");
            assertEquals(0.0, m.alpha());
            assertEquals(0.0, n.alpha());
        }
    }

    private static long penaltyLaunches(ClRuntime rt) {
        return rt.launches().entrySet().stream().filter(e -> e.getKey().contains("layer_penalty"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Test
    void aNegativeOrNonFiniteAlphaIsRefusedWithTheValue() {
        ClRuntime rt = TestDevices.runtime();
        NetworkSpec s = new NetworkSpec(2, List.of(), 3, Activation.IDENTITY, Loss.SOFTMAX);
        Dataset d = Dataset.of("labels", 4, 2, new double[]{1, 2, 3, 4, 5, 6, 7, 8}, new double[]{0, 1, 2, 1});
        try (DeviceDataset dd = new DeviceDataset(rt, d, Precision.FP32)) {
            for (double bad : new double[]{-1, Double.NaN, Double.POSITIVE_INFINITY}) {
                UsageException e = assertThrows(UsageException.class,
                        () -> new Network(dd, s, Mlp.Curvature.EXACT, null, Network.DEFAULT_BLOCK_BYTES, bad));
                assertTrue(e.getMessage().contains("alpha = " + bad) && e.getMessage().contains(">= 0"), e.getMessage());
                MlpSpec ms = new MlpSpec(2, List.of(3), Activation.TANH, MlpSpec.Loss.MSE);
                UsageException f = assertThrows(UsageException.class, () -> new Mlp(dd, ms, Mlp.Curvature.EXACT, bad));
                assertTrue(f.getMessage().contains("alpha = " + bad), f.getMessage());
            }
        }
    }
}
