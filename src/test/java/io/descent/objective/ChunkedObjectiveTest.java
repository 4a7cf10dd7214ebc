package io.descent.objective;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.data.RowSource;
import io.descent.profile.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streaming: every quantity over chunks equals the in-memory objective's. Each chunk's result is a
 * mean over its rows, weighed by its share and added in the working precision, so the difference is
 * a few roundings per chunk: relative 1e-12 in float64, and 2e-5 (about 100 u) in float32.
 */
class ChunkedObjectiveTest {
    record Kind(String name, Dataset data, Function<DeviceDataset, Objective> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        MlpSpec tanh = new MlpSpec(4, List.of(6, 3), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE);
        List<Kind> kinds = List.of(
                new Kind("linear", Generators.seed000Regression(1003, 5, 1).data(), d -> new LinearRegression(d, true, 0.01)),
                new Kind("logistic", Generators.twoClass(1003, 4, 2).data(), d -> new LogisticRegression(d, true, 0.02)),
                new Kind("wide logistic", Generators.twoClass(700, 70, 3).data(), d -> new LogisticRegression(d, true, 0)),
                new Kind("mlp tanh", Generators.seed000Mlp(1003, 4, 4), d -> new Mlp(d, tanh)));
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (Kind k : kinds) b.add(Arguments.of(p, k, 128));
        }
        b.add(Arguments.of(Precision.FP64, kinds.get(0), 1));
        b.add(Arguments.of(Precision.FP64, kinds.get(3), 2000));
        return b.build();
    }

    private static void close(double[] expected, double[] actual, double rel, String what) {
        double scale = 0;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= rel * scale, String.format("%s[%d]: streamed %.17g, in memory %.17g",
                    what, i, actual[i], expected[i]));
        }
    }

    /** The layouts a .npy file comes in, and whether it is standardised on the way in. */
    record Layout(boolean xDoubles, boolean fortran, boolean yDoubles, boolean standardize) {
        @Override
        public String toString() {
            return (fortran ? "Fortran" : "C") + " " + (xDoubles ? "f8" : "f4") + ", y " + (yDoubles ? "f8" : "f4")
                    + (standardize ? ", standardised" : "");
        }
    }

    static Stream<Arguments> layouts() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (boolean xd : new boolean[]{false, true}) {
                for (boolean f : new boolean[]{false, true}) {
                    b.add(Arguments.of(p, new Layout(xd, f, !xd, false)));
                }
            }
            b.add(Arguments.of(p, new Layout(false, true, false, true)));
            b.add(Arguments.of(p, new Layout(true, false, true, true)));
        }
        return b.build();
    }

    /**
     * A memory-mapped .npy streams its rows to the device as they lie, and the device unpacks them (or,
     * already in the device's layout, takes them as they are): the same values as a copy made on the
     * host, so the same losses and gradients as the in-memory objective on those values.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("layouts")
    void npyFilesStreamAsTheyLie(Precision prec, Layout layout, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        ClRuntime rt = TestDevices.runtime();
        double rel = prec == Precision.FP64 ? 1e-12 : 2e-5;
        Dataset d = Generators.twoClass(1003, 5, 11).data(); // no constant column, so it can be standardised
        io.descent.data.NpyFiles.write(dir, d, layout.xDoubles(), layout.fortran(), layout.yDoubles());
        io.descent.data.NpySource src = io.descent.data.NpySource.open(dir.resolve("X.npy"), dir.resolve("y.npy"),
                layout.standardize(), false);
        // the reference: the host's copy of the same rows, in float64, in the heap
        int n = src.rows(), k = src.cols();
        java.nio.ByteBuffer bx = java.nio.ByteBuffer.allocateDirect(8 * n * k).order(java.nio.ByteOrder.nativeOrder());
        java.nio.ByteBuffer by = java.nio.ByteBuffer.allocateDirect(8 * n).order(java.nio.ByteOrder.nativeOrder());
        src.fill(0, n, n, Precision.FP64, bx, by);
        double[] x = new double[n * k], y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) x[i * k + j] = bx.getDouble(8 * (j * n + i));
            y[i] = by.getDouble(8 * i);
        }
        Dataset host = new Dataset("host copy", n, k, x, y, src.info().columns(), src.info().target(), src.info().mean(),
                src.info().scale());
        Function<DeviceDataset, Objective> make = dd -> new LinearRegression(dd, true, 0.01);
        try (DeviceDataset dd = new DeviceDataset(rt, host, prec); Objective whole = make.apply(dd);
             ChunkedObjective streamed = new ChunkedObjective(rt, prec, src, 128, make)) {
            assertTrue(streamed.direct(), "an .npy streams without a host copy");
            int p = whole.parameterCount();
            double[] w = new Random(12).doubles(p, -1, 1).toArray();
            try (DeviceArray dw = rt.upload(prec, w); DeviceArray g1 = rt.allocate(prec, p); DeviceArray g2 = rt.allocate(prec, p)) {
                close(new double[]{whole.lossAndGradient(dw, g1)}, new double[]{streamed.lossAndGradient(dw, g2)}, rel, "loss");
                close(g1.read(), g2.read(), rel, "gradient");
                try (DeviceArray h1 = rt.allocate(prec, (long) p * p); DeviceArray h2 = rt.allocate(prec, (long) p * p)) {
                    whole.hessian(dw, h1);
                    streamed.hessian(dw, h2);
                    close(h1.read(), h2.read(), rel, "Hessian");
                }
                int[] rows = new Random(13).ints(200, 0, n).toArray();
                try (IndexArray idx = IndexArray.upload(rt, rows)) {
                    ((Batchable) whole).useRows(idx, rows.length);
                    streamed.useRows(idx, rows.length);
                    close(new double[]{whole.lossAndGradient(dw, g1)}, new double[]{streamed.lossAndGradient(dw, g2)}, rel,
                            "mini-batch loss");
                    close(g1.read(), g2.read(), rel, "mini-batch gradient");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}, chunks of {2}")
    @MethodSource("cases")
    void streamingGivesTheInMemoryValues(Precision prec, Kind kind, int chunk) {
        ClRuntime rt = TestDevices.runtime();
        double rel = prec == Precision.FP64 ? 1e-12 : 2e-5;
        try (DeviceDataset d = new DeviceDataset(rt, kind.data(), prec); Objective whole = kind.make().apply(d);
             ChunkedObjective streamed = new ChunkedObjective(rt, prec, RowSource.of(kind.data()), chunk, kind.make())) {
            int p = whole.parameterCount();
            assertEquals(p, streamed.parameterCount());
            double[] w = whole.initialParameters(new Random(5));
            if (w.length == p && java.util.Arrays.stream(w).allMatch(v -> v == 0)) {
                Random r = new Random(6);
                for (int i = 0; i < p; i++) w[i] = 0.2 * r.nextGaussian();
            }
            double[] v = new Random(7).doubles(p, -1, 1).toArray();
            double[] steps = {0, 0.1, -0.3};
            try (DeviceArray dw = rt.upload(prec, w); DeviceArray dv = rt.upload(prec, v); DeviceArray st = rt.upload(prec, steps);
                 DeviceArray g1 = rt.allocate(prec, p); DeviceArray g2 = rt.allocate(prec, p);
                 DeviceArray o1 = rt.allocate(prec, 3); DeviceArray o2 = rt.allocate(prec, 3)) {
                close(new double[]{whole.loss(dw)}, new double[]{streamed.loss(dw)}, rel, "loss");
                close(new double[]{whole.lossAndGradient(dw, g1)}, new double[]{streamed.lossAndGradient(dw, g2)}, rel,
                        "loss of loss+gradient");
                close(g1.read(), g2.read(), rel, "gradient");
                whole.hessianVector(dw, dv, g1);
                streamed.hessianVector(dw, dv, g2);
                close(g1.read(), g2.read(), rel, "Hessian-vector");
                whole.losses(dw, dv, st, 3, o1);
                streamed.losses(dw, dv, st, 3, o2);
                close(o1.read(), o2.read(), rel, "losses along a direction");
                if (p <= 200) {
                    try (DeviceArray h1 = rt.allocate(prec, (long) p * p); DeviceArray h2 = rt.allocate(prec, (long) p * p)) {
                        whole.hessian(dw, h1);
                        streamed.hessian(dw, h2);
                        close(h1.read(), h2.read(), rel, "Hessian");
                    }
                }
                int[] rows = new Random(8).ints(311, 0, kind.data().rows()).toArray();
                try (IndexArray idx = IndexArray.upload(rt, rows)) {
                    ((Batchable) whole).useRows(idx, rows.length);
                    streamed.useRows(idx, rows.length);
                    assertEquals(rows.length, streamed.batchRows());
                    close(new double[]{whole.lossAndGradient(dw, g1)}, new double[]{streamed.lossAndGradient(dw, g2)}, rel,
                            "mini-batch loss");
                    close(g1.read(), g2.read(), rel, "mini-batch gradient");
                    ((Batchable) whole).useAllRows();
                    streamed.useAllRows();
                }
                assertTrue(streamed.passes() >= 6, "every evaluation is a pass");
                assertTrue(rt.timer().totals().get(Phase.TRANSFER).deviceNanos() > 0, "uploads are timed as transfer");
            }
        }
    }
}
