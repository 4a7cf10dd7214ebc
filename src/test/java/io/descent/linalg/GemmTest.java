package io.descent.linalg;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Precision;
import io.descent.profile.Phase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Both GEMM engines against a float64 product of the same rounded inputs, for every transpose pair,
 * with offsets and leading dimensions wider than the matrices, sizes that are multiples of no block
 * or vector width, k in several packed slices, beta 0 over NaN and beta 1; descent's engine with the
 * cpu and gpu tuning entries' block shapes. Bound (Higham, eq. 3.13): |C - op(A)op(B)| <= gamma_k
 * |op(A)||op(B)| entrywise, plus the roundings of alpha, beta C and the output.
 */
class GemmTest {
    private static final Map<String, ClRuntime> RUNTIMES = new HashMap<>();

    /** A runtime with the named tuning entry and {@code overrides}, opened once per pair. */
    static synchronized ClRuntime runtime(String entry, String overrides) {
        return RUNTIMES.computeIfAbsent(entry + "|" + overrides, key ->
                ClRuntime.open(TestDevices.device(), DeviceTuning.named(entry, TestDevices.device(), overrides)));
    }

    @AfterAll
    static synchronized void close() {
        RUNTIMES.values().forEach(ClRuntime::close);
        RUNTIMES.clear();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Precision p : Precision.values()) {
            out.add(Arguments.of(p, Gemm.CLBLAST, "cpu"));
            out.add(Arguments.of(p, Gemm.DESCENT, "cpu"));
            out.add(Arguments.of(p, Gemm.DESCENT, "gpu"));
        }
        return out.stream();
    }

    private static double[] random(Random rnd, int n, Precision p) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = p.round(rnd.nextGaussian());
        return x;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void everyTransposeMatchesTheFloat64ProductWithinItsBound(Precision p, String engine, String entry) {
        // KC=13: k = 45 is four sub-slices, the last one short, in one slab (one launch), or with
        // GEMM_SLAB=2 in two slabs of 26 and 19; RP=3: a work-item runs 3 row panels
        for (String over : new String[]{"GEMM_KC=13,GEMM_RP=3", "GEMM_KC=13,GEMM_RP=3,GEMM_SLAB=2"}) {
            productsMatch(p, engine, entry, runtime(entry, over));
        }
    }

    private static void productsMatch(Precision p, String engine, String entry, ClRuntime rt) {
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        int m = 37, n = 43, k = 45;
        Random rnd = new Random(23);
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (double beta : new double[]{0, 1.5}) {
                    int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
                    int aOff = 7, bOff = 11, cOff = 5;
                    double[] a = random(rnd, aOff + (ta ? k : m) * lda, p);
                    double[] b = random(rnd, bOff + (tb ? n : k) * ldb, p);
                    double[] c0 = random(rnd, cOff + m * ldc, p);
                    if (beta == 0) java.util.Arrays.fill(c0, cOff, c0.length, Double.NaN); // beta 0 never reads C
                    double alpha = p.round(0.75);
                    double[] c;
                    try (Gemm g = new Gemm(rt, p, engine); DeviceArray da = rt.upload(p, a); DeviceArray db = rt.upload(p, b);
                         DeviceArray dc = rt.upload(p, c0)) {
                        g.gemm(ta, tb, m, n, k, alpha, da, aOff, lda, db, bOff, ldb, beta, dc, cOff, ldc, Phase.SOLVE);
                        c = dc.read();
                    }
                    double u = p.unitRoundoff();
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double exact = 0, abs = 0;
                            for (int l = 0; l < k; l++) {
                                double x = ta ? a[aOff + l * lda + i] : a[aOff + i * lda + l];
                                double y = tb ? b[bOff + j * ldb + l] : b[bOff + l * ldb + j];
                                exact += x * y;
                                abs += Math.abs(x * y);
                            }
                            double old = beta == 0 ? 0 : c0[cOff + i * ldc + j];
                            double want = alpha * exact + beta * old;
                            double bound = (DenseReference.gamma(k + 2, u) + 4 * 0x1p-53) * (Math.abs(alpha) * abs + Math.abs(beta * old))
                                    + u * Math.abs(want);
                            double err = Math.abs(c[cOff + i * ldc + j] - want);
                            assertTrue(err <= bound, String.format("%s %s %s ta=%b tb=%b beta=%s C(%d,%d): error %.3g > bound %.3g",
                                    p, engine, entry, ta, tb, beta, i, j, err, bound));
                        }
                        for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                            assertEquals(c0[cOff + i * ldc + j], c[cOff + i * ldc + j], 0.0, "padding past n is untouched");
                        }
                    }
                    for (int x = 0; x < cOff; x++) assertEquals(c0[x], c[x], 0.0, "before the offset is untouched");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void weightedSyrkFillsTheUpperTriangleOfXtDX(Precision p, String engine, String entry) {
        assumeTrue(engine.equals(Gemm.DESCENT), "SYRK is descent's own");
        // 301 rows in sub-slices of 64: one slab, or slabs of 128, 128 and 45 with GEMM_SLAB=2
        for (String over : new String[]{"GEMM_KC=64,GEMM_RP=2", "GEMM_KC=64,GEMM_RP=2,GEMM_SLAB=2"}) {
            syrkMatches(p, engine, entry, runtime(entry, over));
        }
    }

    private static void syrkMatches(Precision p, String engine, String entry, ClRuntime rt) {
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        int rows = 301, n = 29, ld = 31;
        Random rnd = new Random(5);
        double[] x = random(rnd, rows * ld, p);
        double[] d = new double[rows];
        for (int r = 0; r < rows; r++) d[r] = p.round(rnd.nextDouble());
        double[] h;
        try (Gemm g = new Gemm(rt, p, engine); DeviceArray dx = rt.upload(p, x); DeviceArray dd = rt.upload(p, d);
             DeviceArray dh = rt.allocate(p, (long) n * n)) {
            g.syrkUpper(n, rows, 1, dx, 0, ld, dd, 0, dh, 0, n, Phase.HESSIAN);
            h = dh.read();
        }
        double u = p.unitRoundoff();
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double exact = 0, abs = 0;
                for (int r = 0; r < rows; r++) {
                    double t = p.round(x[r * ld + i] * d[r]) * x[r * ld + j];
                    exact += x[r * ld + i] * d[r] * x[r * ld + j];
                    abs += Math.abs(t);
                }
                double bound = (DenseReference.gamma(rows + 2, u) + 4 * 0x1p-53) * abs + u * Math.abs(exact);
                double err = Math.abs(h[i * n + j] - exact);
                assertTrue(err <= bound, String.format("%s %s H(%d,%d): error %.3g > bound %.3g", p, entry, i, j, err, bound));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void emptyProductsScaleCAndBadShapesAreRefusedBeforeLaunch(Precision p, String engine, String entry) {
        ClRuntime rt = runtime(entry, "");
        assumeTrue(p == Precision.FP32 || rt.device().fp64(), "device has no float64");
        try (Gemm g = new Gemm(rt, p, engine); DeviceArray a = rt.allocate(p, 6); DeviceArray b = rt.allocate(p, 9);
             DeviceArray c = rt.upload(p, new double[]{1, 2, 3, 4})) {
            g.gemm(false, false, 2, 2, 0, 1, a, 0, 1, b, 0, 2, 2, c, 0, 2, Phase.SOLVE); // k = 0: C = beta C
            double[] got = c.read();
            for (int i = 0; i < 4; i++) assertEquals(2.0 * (i + 1), got[i], 0.0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.gemm(false, false, 2, 3, 3, 1, a, 0, 3, b, 0, 3, 0, c, 0, 3, Phase.SOLVE));
            assertTrue(e.getMessage().contains("C (2 x 3, ld 3, offset 0) needs 6 values; the array has 4"), e.getMessage());
        }
    }
}
