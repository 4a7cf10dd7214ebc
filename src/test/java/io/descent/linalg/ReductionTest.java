package io.descent.linalg;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.profile.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tree reduction against a plain-Java float64 reference. The reference sums the values as the
 * device holds them (rounded to float32 in fp32), exactly ({@link ExactSum}; a plain double loop
 * over 10^6 terms is itself off by more than a float64 tree reduction), so the only error left is
 * the reduction's own.
 * Tolerance: chainLength(n) * u * sum|x_i| (the bound of the reduction's shape; see Reduction), plus
 * u * sum|x_i y_i| for dot products rounded to float32 before they are added.
 */
class ReductionTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (int n : new int[]{1, 2, 63, 64, 65, 1000, 1_000_003}) {
                b.add(Arguments.of(p, p, n));
            }
        }
        for (int n : new int[]{1, 65, 1_000_003}) {
            b.add(Arguments.of(Precision.FP32, Precision.FP64, n)); // float32 data, float64 accumulation
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} data, {1} accumulator, n = {2}")
    @MethodSource("cases")
    void sumAndDotMatchFloat64Reference(Precision data, Precision acc, int n) {
        ClRuntime rt = TestDevices.runtime();
        Random rnd = new Random(n * 31L + data.bits());
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = data.round(0.5 + rnd.nextGaussian()); // mean != 0: a sum that does not cancel to nothing
            y[i] = data.round(rnd.nextGaussian());
        }
        double sum = ExactSum.sum(x);
        double dot = ExactSum.dot(x, y);
        double sumAbs = 0, dotAbs = 0; // only scale the tolerance: plain loops are accurate enough
        for (int i = 0; i < n; i++) {
            sumAbs += Math.abs(x[i]);
            dotAbs += Math.abs(x[i] * y[i]);
        }
        try (Reduction r = new Reduction(rt, data, acc);
             DeviceArray dx = rt.upload(data, x);
             DeviceArray dy = rt.upload(data, y);
             DeviceArray out = rt.allocate(acc, 3)) {
            double u = acc.unitRoundoff();
            int chain = r.chainLength(n);
            r.sum(dx, out, 0, Phase.LOSS);
            r.dot(dx, dy, out, 2, Phase.LOSS);
            double[] got = out.read(0, 3);
            assertEquals(sum, got[0], chain * u * sumAbs + Double.MIN_VALUE, "sum");
            double productRounding = acc == Precision.FP32 ? u * dotAbs : 0;
            assertEquals(dot, got[2], chain * u * dotAbs + productRounding + Double.MIN_VALUE, "dot");
            assertEquals(got[0], r.sum(dx, Phase.LOSS), 0.0, "host-read variant gives the same value");
        }
    }

    @ParameterizedTest(name = "chain length stays logarithmic-plus-short for n = {0}")
    @MethodSource("lengths")
    void chainLengthIsFarBelowSequential(int n) {
        try (Reduction r = new Reduction(TestDevices.runtime(), Precision.FP32)) {
            int chain = r.chainLength(n);
            assertTrue(chain >= 1);
            assertTrue(n < 100_000 || chain < n / 1000, "chain " + chain + " for n = " + n);
        }
    }

    static Stream<Integer> lengths() {
        return Stream.of(1, 1000, 1_000_003, 100_000_000);
    }
}
