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
 * The CLBlast routines descent calls outside the Cholesky: GEMM, the device's GEMM-rate ceiling in
 * the benchmarks. Row-major, no transposes. CLBlast may run several kernels (padding, transposes, the
 * product) and returns the last one's event, so the call is timed as a span from a marker before it.
 */
public final class Blas {
    private Blas() {
    }

    /**
     * C (m x n) = A (m x k) B (k x n), row-major, in the arrays' precision, enqueued under {@code phase}.
     *
     * @throws IllegalArgumentException arrays too short for the shapes, or of mixed precision
     * @throws ClException              CLBlast refused (its status code is named)
     */
    public static void gemm(ClRuntime rt, DeviceArray a, DeviceArray b, DeviceArray c, int m, int n, int k, Phase phase) {
        Precision p = a.precision();
        if (b.precision() != p || c.precision() != p) {
            throw new IllegalArgumentException("GEMM of mixed precisions: " + p.label() + ", " + b.precision().label()
                    + ", " + c.precision().label());
        }
        if (m < 1 || n < 1 || k < 1 || a.length() < (long) m * k || b.length() < (long) k * n || c.length() < (long) m * n) {
            throw new IllegalArgumentException("GEMM " + m + " x " + k + " times " + k + " x " + n + " with arrays of "
                    + a.length() + ", " + b.length() + " and " + c.length() + " values");
        }
        p.requireSupportedBy(rt.device());
        cl_event marker = rt.marker();
        cl_event ev = new cl_event();
        int layout = CLBlastLayout.CLBlastLayoutRowMajor;
        int no = CLBlastTranspose.CLBlastTransposeNo;
        int rc = p == Precision.FP64
                ? CLBlast.CLBlastDgemm(layout, no, no, m, n, k, 1.0, a.mem(), 0, k, b.mem(), 0, n, 0.0, c.mem(), 0, n,
                rt.queue(), ev)
                : CLBlast.CLBlastSgemm(layout, no, no, m, n, k, 1.0f, a.mem(), 0, k, b.mem(), 0, n, 0.0f, c.mem(), 0, n,
                rt.queue(), ev);
        if (rc != 0) {
            org.jocl.CL.clReleaseEvent(marker);
            throw new ClException(rc, "CLBlast GEMM " + m + " x " + k + " x " + n + " (" + p.label() + ")");
        }
        rt.timer().recordSpan(phase, marker, ev); // CLBlast's event is only its last kernel's
    }
}
