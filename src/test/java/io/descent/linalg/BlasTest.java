package io.descent.linalg;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.profile.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CLBlast GEMM through {@link Blas} against a float64 product of the same rounded inputs. Bound
 * (Higham, eq. 3.13): |C - AB| <= gamma_k |A||B| entrywise, plus one rounding of each output.
 */
class BlasTest {
    @ParameterizedTest
    @EnumSource(Precision.class)
    void gemmMatchesTheFloat64ProductWithinItsBound(Precision p) {
        ClRuntime rt = TestDevices.runtime();
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        int m = 37, k = 23, n = 41; // none a multiple of any work-group size
        Random rnd = new Random(7);
        double[] a = new double[m * k], b = new double[k * n];
        for (int i = 0; i < a.length; i++) a[i] = p.round(rnd.nextGaussian());
        for (int i = 0; i < b.length; i++) b[i] = p.round(rnd.nextGaussian());
        double[] c;
        try (DeviceArray da = rt.upload(p, a); DeviceArray db = rt.upload(p, b); DeviceArray dc = rt.allocate(p, (long) m * n)) {
            Blas.gemm(rt, da, db, dc, m, n, k, Phase.SOLVE);
            c = dc.read();
        }
        double u = p.unitRoundoff();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = DenseReference.dot2(a, i * k, 1, b, j, n, k);
                double abs = 0;
                for (int l = 0; l < k; l++) abs += Math.abs(a[i * k + l] * b[l * n + j]);
                double bound = DenseReference.gamma(k, u) * abs + u * Math.abs(exact) + 4 * 0x1p-53 * abs;
                double err = Math.abs(c[i * n + j] - exact);
                assertTrue(err <= bound, String.format("%s C(%d,%d): error %.3g > bound %.3g", p, i, j, err, bound));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void shapesTheArraysCannotHoldAreRefused(Precision p) {
        ClRuntime rt = TestDevices.runtime();
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        try (DeviceArray a = rt.allocate(p, 6); DeviceArray b = rt.allocate(p, 6); DeviceArray c = rt.allocate(p, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Blas.gemm(rt, a, b, c, 2, 3, 3, Phase.SOLVE));
            assertTrue(e.getMessage().contains("2 x 3 times 3 x 3"), e.getMessage());
        }
    }
}
