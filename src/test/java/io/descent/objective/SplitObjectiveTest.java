package io.descent.objective;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.IndexArray;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data parallel, the combining logic: blocks on one device here (the CLI test runs two PoCL
 * devices), uneven shares, every quantity equal to the whole data's to a few roundings per block.
 */
class SplitObjectiveTest {
    static Stream<Arguments> cases() {
        MlpSpec relu = new MlpSpec(4, List.of(7), MlpSpec.Activation.RELU, MlpSpec.Loss.MSE);
        Function<DeviceDataset, Objective> logistic = d -> new LogisticRegression(d, true, 0.01);
        Function<DeviceDataset, Objective> mlp = d -> new Mlp(d, relu);
        return Stream.of(
                Arguments.of("logistic fp64", Precision.FP64, Generators.twoClass(2001, 5, 1).data(), logistic),
                Arguments.of("mlp relu fp64", Precision.FP64, Generators.seed000Mlp(2001, 4, 2), mlp),
                Arguments.of("logistic fp32", Precision.FP32, Generators.twoClass(2001, 5, 1).data(), logistic));
    }

    private static void close(double[] a, double[] b, double rel, String what) {
        double s = 0;
        for (double v : a) s = Math.max(s, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) <= rel * s, what + "[" + i + "]: split " + b[i] + ", whole " + a[i]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void threeUnevenBlocksGiveTheWholeDatasValues(String name, Precision prec, Dataset data, Function<DeviceDataset, Objective> make) {
        ClRuntime rt = TestDevices.runtime();
        double rel = prec == Precision.FP64 ? 1e-12 : 2e-5;
        try (DeviceDataset d = new DeviceDataset(rt, data, prec); Objective whole = make.apply(d);
             SplitObjective split = new SplitObjective(List.of(rt, rt, rt), prec, data, new double[]{1, 3, 2}, make)) {
            int[] shares = split.shares();
            assertTrue(shares[1] > 2.5 * shares[0] && shares[0] + shares[1] + shares[2] == data.rows(),
                    "rows follow the speeds: " + java.util.Arrays.toString(shares));
            int p = whole.parameterCount();
            double[] w = new Random(3).doubles(p, -0.3, 0.3).toArray();
            double[] v = new Random(4).doubles(p, -1, 1).toArray();
            try (DeviceArray dw = rt.upload(prec, w); DeviceArray dv = rt.upload(prec, v);
                 DeviceArray st = rt.upload(prec, new double[]{0, 0.2, -0.1});
                 DeviceArray a = rt.allocate(prec, p); DeviceArray b = rt.allocate(prec, p);
                 DeviceArray oa = rt.allocate(prec, 3); DeviceArray ob = rt.allocate(prec, 3);
                 DeviceArray ha = rt.allocate(prec, (long) p * p); DeviceArray hb = rt.allocate(prec, (long) p * p)) {
                close(new double[]{whole.lossAndGradient(dw, a)}, new double[]{split.lossAndGradient(dw, b)}, rel, "loss");
                close(a.read(), b.read(), rel, "gradient");
                whole.hessianVector(dw, dv, a);
                split.hessianVector(dw, dv, b);
                close(a.read(), b.read(), rel, "Hessian-vector");
                whole.hessian(dw, ha);
                split.hessian(dw, hb);
                close(ha.read(), hb.read(), rel, "Hessian");
                whole.losses(dw, dv, st, 3, oa);
                split.losses(dw, dv, st, 3, ob);
                close(oa.read(), ob.read(), rel, "losses");
                int[] rows = new Random(5).ints(400, 0, data.rows()).toArray();
                try (IndexArray idx = IndexArray.upload(rt, rows)) {
                    ((Batchable) whole).useRows(idx, rows.length);
                    split.useRows(idx, rows.length);
                    close(new double[]{whole.lossAndGradient(dw, a)}, new double[]{split.lossAndGradient(dw, b)}, rel,
                            "mini-batch loss");
                    close(a.read(), b.read(), rel, "mini-batch gradient");
                    ((Batchable) whole).useAllRows();
                    split.useAllRows();
                }
                assertArrayEquals(new double[]{whole.loss(dw)}, new double[]{split.loss(dw)}, rel * Math.abs(whole.loss(dw)));
            }
        }
    }
}
