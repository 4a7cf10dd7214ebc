package io.descent.linalg;

import io.descent.cl.ClException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Kernel;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.profile.Phase;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastTranspose;
import org.jocl.cl_event;

import java.util.Map;

/**
 * The one matrix-product entry point of descent: C = alpha op(A) op(B) + beta C, row-major, with
 * offsets and leading dimensions, on one runtime and precision. Layers, Hessians and the blocked
 * Cholesky call this and never an engine directly, so the engine (descent's own tiled kernel or
 * CLBlast) is chosen in one place, by the device's tuning entry.
 *
 * <p>Row-major: A is m x k when {@code transA} is false (element (i, l) at {@code aOff + i lda + l}),
 * k x m when true (element (l, i) at {@code aOff + l lda + i}); likewise B (k x n, or n x k
 * transposed) and C (m x n, element (i, j) at {@code cOff + i ldc + j}). With beta = 0, C is
 * written without being read (NaN in C does not leak through).
 */
public class Gemm implements AutoCloseable {
    /** The engines, by {@link DeviceTuning.Key#GEMM_ENGINE}. */
    public static final String CLBLAST = "clblast", DESCENT = "descent";

    protected final ClRuntime rt;
    protected final Precision precision;
    private final String engine;
    private final int mr, nr, kc, nv, ku, vw, rp, slabMax;
    private Program program;
    private Kernel packA, packB, tiles;
    private DeviceArray ap, bp, ones;

    /** The engine and block sizes of the device's tuning entry. */
    public Gemm(ClRuntime rt, Precision precision) {
        this(rt, precision, rt.deviceTuning().get(DeviceTuning.Key.GEMM_ENGINE) == 1 ? DESCENT : CLBLAST);
    }

    /** {@code engine} ({@value #CLBLAST} or {@value #DESCENT}) with the tuning entry's block sizes. */
    public Gemm(ClRuntime rt, Precision precision, String engine) {
        precision.requireSupportedBy(rt.device());
        if (!engine.equals(CLBLAST) && !engine.equals(DESCENT)) {
            throw new IllegalArgumentException("unknown GEMM engine '" + engine + "': " + CLBLAST + " or " + DESCENT);
        }
        this.rt = rt;
        this.precision = precision;
        this.engine = engine;
        DeviceTuning t = rt.deviceTuning();
        this.mr = t.get(DeviceTuning.Key.GEMM_MR);
        int vw = t.gemmVectorWidth(precision);
        this.nr = vw * t.get(DeviceTuning.Key.GEMM_NV);
        this.kc = t.get(DeviceTuning.Key.GEMM_KC);
        this.nv = t.get(DeviceTuning.Key.GEMM_NV);
        this.ku = t.get(DeviceTuning.Key.GEMM_KU);
        this.rp = t.get(DeviceTuning.Key.GEMM_RP);
        this.slabMax = t.get(DeviceTuning.Key.GEMM_SLAB);
        this.vw = vw;
        if (engine.equals(DESCENT)) {
            kernels(); // built now, with the caller's set-up, not inside its first timed product
        }
    }

    private void kernels() {
        if (program == null) {
            program = rt.program("gemm.cl", precision, Map.of("MR", Integer.toString(mr), "VW", Integer.toString(vw),
                    "NV", Integer.toString(nv), "KU", Integer.toString(ku), "RP", Integer.toString(rp)));
            packA = program.kernel("gemm_pack_a");
            packB = program.kernel("gemm_pack_b");
            tiles = program.kernel("gemm_tiles");
        }
    }

    public Precision precision() {
        return precision;
    }

    /** The engine this instance uses, for reports: "clblast" or "descent". */
    public String engine() {
        return engine;
    }

    /** C = alpha op(A) op(B) + beta C (see the class comment), enqueued under {@code phase}. */
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                     DeviceArray a, long aOff, int lda, DeviceArray b, long bOff, int ldb,
                     double beta, DeviceArray c, long cOff, int ldc, Phase phase) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        if (engine.equals(DESCENT) || k == 0) { // CLBlast refuses k = 0 (C = beta C)
            own(transA, transB, m, n, k, alpha, a, aOff, lda, null, 0, b, bOff, ldb, beta, c, cOff, ldc, false, phase);
            return;
        }
        cl_event marker = rt.marker();
        cl_event ev = new cl_event();
        int layout = CLBlastLayout.CLBlastLayoutRowMajor;
        int ta = transA ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo;
        int tb = transB ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo;
        int rc = precision == Precision.FP64
                ? CLBlast.CLBlastDgemm(layout, ta, tb, m, n, k, alpha, a.mem(), aOff, lda, b.mem(), bOff, ldb, beta,
                c.mem(), cOff, ldc, rt.queue(), ev)
                : CLBlast.CLBlastSgemm(layout, ta, tb, m, n, k, (float) alpha, a.mem(), aOff, lda, b.mem(), bOff, ldb,
                (float) beta, c.mem(), cOff, ldc, rt.queue(), ev);
        if (rc != 0) {
            org.jocl.CL.clReleaseEvent(marker);
            throw new ClException(rc, "CLBlast GEMM " + m + " x " + k + " x " + n + " (" + precision.label() + ")");
        }
        rt.timer().recordSpan(phase, marker, ev);
    }

    /**
     * The upper triangle (j >= i) of C = alpha A' D A + beta C, A being k x n row-major (k data rows
     * of n features, leading dimension lda, so A' A is n x n) and D = diag(d[0..k)) (null: the
     * identity). Entries below the diagonal are left as they were, or partly written: read only
     * the upper triangle. Always descent's own kernels (CLBlast has no weighted SYRK).
     */
    public void syrkUpper(int n, int k, double alpha, DeviceArray a, long aOff, int lda, DeviceArray d,
                          double beta, DeviceArray c, long cOff, int ldc, Phase phase) {
        syrkUpper(n, k, alpha, a, aOff, lda, d, 0, beta, c, cOff, ldc, phase);
    }

    /** As {@link #syrkUpper(int, int, double, DeviceArray, long, int, DeviceArray, double, DeviceArray, long, int, Phase)}
     * with the weights at d[dOff .. dOff + k). */
    public void syrkUpper(int n, int k, double alpha, DeviceArray a, long aOff, int lda, DeviceArray d, long dOff,
                          double beta, DeviceArray c, long cOff, int ldc, Phase phase) {
        gemmScaled(true, false, n, n, k, alpha, a, aOff, lda, d, dOff, a, aOff, lda, beta, c, cOff, ldc, true, phase);
    }

    /**
     * C = alpha op(A) D op(B) + beta C with D = diag(d[dOff .. dOff + k)) scaling the k index (null:
     * the identity); with {@code upper}, only the register blocks that touch C's upper triangle
     * (j >= i in C's own indices) are computed, and entries below it are left as they were or partly
     * written. Always descent's own kernels: the left-looking Cholesky's row-block products
     * (U' S U restricted to a band of rows).
     */
    public void gemmScaled(boolean transA, boolean transB, int m, int n, int k, double alpha, DeviceArray a, long aOff,
                           int lda, DeviceArray d, long dOff, DeviceArray b, long bOff, int ldb, double beta,
                           DeviceArray c, long cOff, int ldc, boolean upper, Phase phase) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (d != null && (dOff < 0 || d.length() < dOff + k)) {
            throw new IllegalArgumentException("GEMM: the weights have " + d.length() + " values for " + k
                    + " k values from offset " + dOff);
        }
        if (m == 0 || n == 0) return;
        own(transA, transB, m, n, k, alpha, a, aOff, lda, d, dOff, b, bOff, ldb, beta, c, cOff, ldc, upper, phase);
    }

    /**
     * Writes columns [k0, k0 + len) of an operand (k runs along them) into {@code out} as {@code panels}
     * panels of {@code width} values per k: out[panel][l][c] (see gemm.cl), 0 past the operand's edge.
     */
    public interface Pack {
        void into(DeviceArray out, int k0, int len, int width, int panels, Phase phase);
    }

    /** A kernel of this engine's gemm.cl program (a packing kernel for a {@link Pack}). */
    public Kernel kernel(String name) {
        kernels();
        return program.kernel(name);
    }

    /**
     * C = alpha A B + beta C with A (m x k) and B (k x n) given by the packers that lay them out:
     * for operands that are no strided matrix (a data selection's rows with an intercept). With
     * {@code upper}, only blocks that touch the upper triangle are computed.
     */
    public void packedProduct(int m, int n, int k, double alpha, Pack a, Pack b, double beta, DeviceArray c, long cOff,
                              int ldc, boolean upper, Phase phase) {
        if (m < 0 || n < 0 || k < 0 || cOff < 0 || ldc < n) {
            throw new IllegalArgumentException("GEMM: m=" + m + " n=" + n + " k=" + k + " ldc=" + ldc);
        }
        need("C", c, cOff, m, n, ldc);
        if (m == 0 || n == 0) return;
        kernels();
        int mp = (m + mr - 1) / mr, nq = (n + nr - 1) / nr;
        int sub = Math.max(1, Math.min(kc, Math.max(k, 1)));
        int step = Math.max(1, Math.min(slab(m, n), Math.max(k, 1)));
        ensureScratch((long) mp * mr * step, (long) nq * nr * step);
        int slabs = Math.max(1, (k + step - 1) / step);
        for (int s = 0; s < slabs; s++) {
            int k0 = s * step, len = Math.max(0, Math.min(step, k - k0));
            a.into(ap, k0, len, mr, mp, phase);
            b.into(bp, k0, len, nr, nq, phase);
            tiles.args(m, n, len, sub, alpha, s == 0 ? beta : 1.0, ap, bp, c, cOff, ldc, upper ? 1 : 0)
                    .launch(phase, new long[]{(mp + rp - 1) / rp, nq}, new long[]{1, 1});
        }
    }

    private void own(boolean transA, boolean transB, int m, int n, int k, double alpha, DeviceArray a, long aOff, int lda,
                     DeviceArray d, long dOff, DeviceArray b, long bOff, int ldb, double beta, DeviceArray c, long cOff,
                     int ldc, boolean upper, Phase phase) {
        kernels();
        if (d == null && ones == null) ones = rt.allocate(precision, 1);
        DeviceArray dd = d == null ? ones : d;
        packedProduct(m, n, k, alpha,
                (out, k0, len, width, panels, ph) -> packA.args(m, len, k0, a, aOff, lda, transA ? 1 : 0, dd, dOff, d == null ? 0 : 1, out)
                        .launch(ph, new long[]{Kernel.roundUp(Math.max(len, 1), 16), panels}, new long[]{16, 1}),
                (out, k0, len, width, panels, ph) -> packB.args(n, len, k0, b, bOff, ldb, transB ? 1 : 0, out)
                        .launch(ph, new long[]{Kernel.roundUp(Math.max(len, 1), 16), panels}, new long[]{16, 1}),
                beta, c, cOff, ldc, upper, phase);
    }

    /**
     * k values packed and multiplied per launch for an m x n product: KC (the sub-slice summed in
     * registers) times up to GEMM_SLAB, in powers of two, while C is small (under 2^22 entries). A
     * product with a small C and a long k (X'DX of 100 features over 100,000 rows: 196 slices of
     * 512, three launches each) spent its time launching; its few row panels reuse a B panel
     * little, so a long slab's cache footprint costs less than for a square product. The sums round
     * as with KC alone (see gemm_tiles).
     */
    int slab(int m, int n) {
        long c = Math.max(1, (long) m * n);
        long grow = Math.max(1, Math.min(slabMax, (1L << 22) / c));
        return (int) Math.min(1 << 30, (long) kc * Long.highestOneBit(grow));
    }

    /** Rows of C per register block (the A panels' width). */
    public int blockRows() {
        return mr;
    }

    /** Columns of C per register block (the B panels' width). */
    public int blockCols() {
        return nr;
    }

    private void ensureScratch(long aLen, long bLen) {
        if (ap == null || ap.length() < aLen) {
            if (ap != null) ap.close();
            ap = rt.allocate(precision, aLen);
        }
        if (bp == null || bp.length() < bLen) {
            if (bp != null) bp.close();
            bp = rt.allocate(precision, bLen);
        }
    }

    /** Releases the packing buffers (the program stays with the runtime). */
    @Override
    public void close() {
        for (DeviceArray x : new DeviceArray[]{ap, bp, ones}) {
            if (x != null && !x.isClosed()) x.close();
        }
        ap = bp = ones = null;
    }

    /** Shapes, leading dimensions and lengths, before anything is enqueued. */
    protected void check(boolean transA, boolean transB, int m, int n, int k, DeviceArray a, long aOff, int lda,
                         DeviceArray b, long bOff, int ldb, DeviceArray c, long cOff, int ldc) {
        for (DeviceArray x : new DeviceArray[]{a, b, c}) {
            if (x.precision() != precision) {
                throw new IllegalArgumentException("GEMM in " + precision.label() + " given an array in " + x.precision().label());
            }
        }
        if (m < 0 || n < 0 || k < 0 || aOff < 0 || bOff < 0 || cOff < 0) {
            throw new IllegalArgumentException("GEMM with a negative size or offset: m=" + m + " n=" + n + " k=" + k);
        }
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        need("A", a, aOff, aRows, aCols, lda);
        need("B", b, bOff, bRows, bCols, ldb);
        need("C", c, cOff, m, n, ldc);
    }

    private static void need(String name, DeviceArray x, long off, int rows, int cols, int ld) {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) {
            throw new IllegalArgumentException("GEMM: leading dimension of " + name + " is " + ld + ", below its " + cols + " columns");
        }
        long last = off + (long) (rows - 1) * ld + cols;
        if (last > x.length()) {
            throw new IllegalArgumentException("GEMM: " + name + " (" + rows + " x " + cols + ", ld " + ld + ", offset " + off
                    + ") needs " + last + " values; the array has " + x.length());
        }
    }
}
