package io.descent.linalg;

import io.descent.cl.ClException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.profile.Phase;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastTranspose;
import org.jocl.cl_event;

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
public class Gemm {
    protected final ClRuntime rt;
    protected final Precision precision;

    public Gemm(ClRuntime rt, Precision precision) {
        precision.requireSupportedBy(rt.device());
        this.rt = rt;
        this.precision = precision;
    }

    public Precision precision() {
        return precision;
    }

    /** The engine this instance uses, for reports: "clblast" or "descent". */
    public String engine() {
        return "clblast";
    }

    /** C = alpha op(A) op(B) + beta C (see the class comment), enqueued under {@code phase}. */
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                     DeviceArray a, long aOff, int lda, DeviceArray b, long bOff, int ldb,
                     double beta, DeviceArray c, long cOff, int ldc, Phase phase) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
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
