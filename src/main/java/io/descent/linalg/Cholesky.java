package io.descent.linalg;

import io.descent.UsageException;
import io.descent.cl.ClException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.DeviceInfo;
import io.descent.cl.DeviceTuning;
import io.descent.cl.Format;
import io.descent.cl.Kernel;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTimer;
import org.jocl.cl_event;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastDiagonal;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastSide;
import org.jocl.blast.CLBlastTranspose;
import org.jocl.blast.CLBlastTriangle;

import java.util.Map;
import java.util.TreeMap;

/**
 * Factorisation of a symmetric n x n device matrix A = H + lambda I ({@code opencl/cholesky.cl}) and
 * solves with it, all under {@link Phase#SOLVE}; nothing is read back except by {@link #readInfo()}.
 *
 * <p>H is row-major (only its upper triangle is read). The factor is A = U' S U, U upper triangular
 * with a positive diagonal and S = diag(+-1): with {@code allowNegative = false} (Cholesky) every
 * sign must be +1, so a matrix that is not numerically positive definite fails at its first pivot
 * below {@code n * u * |A_jj|}; with {@code allowNegative = true} negative pivots are kept (a
 * non-pivoted symmetric indefinite factorisation, used by pure Newton to take H^-1 g whatever the
 * curvature) and only pivots with |pivot| at or below that bound fail. A failure is recorded on the
 * device (the failing pivot, see {@link Info}); every later kernel then does nothing and solutions
 * come out as zeros, so no NaN or Inf is produced.
 *
 * <p>Paths: n up to {@link Tuning#smallMax()} in one work-group (one launch for factor and solve
 * together). Above that, where the device's products are descent's GEMM engine and at least {@link
 * Tuning#gemmFrom()} rows follow the first block, recursive (see {@link #recursive}): halves of rows
 * down to {@link Tuning#block()}-row blocks, every update one gemm.cl product of long k. Otherwise
 * blocked right-looking with {@link Tuning#block()}-wide block columns: a one-work-group factor of
 * the diagonal block, the block row by forward substitution and the trailing matrix by a tiled
 * symmetric rank-b update, in our own kernels, or (Cholesky only) by CLBlast's TRSM and SYRK when
 * the trailing matrix has at least {@link Tuning#clblastFrom()} rows. (A CLBlast call returns the
 * event of its last kernel only, so the phase timer's device time undercounts it: compare the paths
 * by wall time.)
 *
 * <p>Accuracy (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., Thm 10.3 and 10.4;
 * the order of the sums does not matter to them, and S only flips signs): the computed factor
 * satisfies |U' S U - A| <= gamma_(n+1) |U'||U| entrywise and the computed solution solves
 * (A + dA) x = b with |dA| <= gamma_(3n+1) |U'||U|, gamma_k = k u / (1 - k u). {@link #refine}
 * improves a float32 solution with a residual summed in float64.
 */
public final class Cholesky implements AutoCloseable {
    /** Values in the info array. */
    public static final int INFO_LEN = 8;

    /**
     * Paths and block sizes.
     *
     * @param smallMax    largest n factorised by the one-work-group kernel
     * @param block       block columns of the blocked path
     * @param clblastFrom CLBlast TRSM + SYRK for a block column when at least this many rows follow
     *                    it (Cholesky only); {@link Integer#MAX_VALUE}: never
     * @param vec         values per vector in the kernels (0: the device's SIMD width, {@link
     *                    ClRuntime#vectorWidth})
     * @param rowsPerItem rows of the trailing update per work-item (TI in cholesky.cl: 1, 2, 4, 8, 16)
     * @param gemmFrom    the recursive path, every product by descent's GEMM engine (gemm.cl), when
     *                    at least this many rows follow the first block; {@link Integer#MAX_VALUE}: never
     */
    public record Tuning(int smallMax, int block, int clblastFrom, int vec, int rowsPerItem, int gemmFrom) {
        public Tuning {
            if (smallMax < 1 || block < 1 || clblastFrom < 1 || vec < 0 || rowsPerItem < 1 || gemmFrom < 1) {
                throw new IllegalArgumentException("Cholesky tuning: smallMax = " + smallMax + ", block = " + block
                        + ", clblastFrom = " + clblastFrom + ", vec = " + vec + ", rowsPerItem = " + rowsPerItem
                        + ", gemmFrom = " + gemmFrom);
            }
        }

        /** cholesky.cl's own trailing update throughout. */
        public Tuning(int smallMax, int block, int clblastFrom, int vec, int rowsPerItem) {
            this(smallMax, block, clblastFrom, vec, rowsPerItem, Integer.MAX_VALUE);
        }

        /** The given paths with the default vector width and rows per item. */
        public Tuning(int smallMax, int block, int clblastFrom) {
            this(smallMax, block, clblastFrom, 0, DEFAULT_ROWS_PER_ITEM);
        }

        /**
         * The defaults for a device, from its {@link DeviceTuning} (CHOL_* keys). The CPU entry was
         * measured with NewtonBench on PoCL 3.1 (2 shared AVX-512 cores; wall medians, float32 /
         * float64): unblocked 0.25 / 0.23 ms at n = 128 against 0.40 / 0.43 ms blocked, 0.91 / 1.05
         * ms at n = 256 against 0.78 / 0.89 ms (an earlier, noisier run had the unblocked kernel
         * ahead at 256 in float32), so the crossover lies between 128 and 256 and n <= 192 goes to
         * the one-work-group kernel. Blocked: blocks of 64 with 16 rows x 16 values per work-item in
         * the trailing update (64-byte vectors, more in flight: about 2x the 32-byte, 8-row shape at
         * n = 2048). CLBlast 1.5.2's TRSM + SYRK lost to our kernels in wall time at every n from 128
         * to 4096 (4096: 3.9 / 7.0 s against 0.51 / 1.02 s), so it is off. GPUs (not measured): n
         * <= 128 unblocked, one value per work-item and 8 rows, CLBlast off until measured on one.
         */
        public static Tuning forDevice(DeviceTuning device) {
            // Where the device's native vectors are narrower than the entry's (an AVX2 CPU under the
            // AVX-512 cpu entry), the table's CHOL_VEC gives way to the data kernels' capped VEC.
            boolean narrower = device.vectorCapBytes() > 0 && !device.overridden().containsKey(DeviceTuning.Key.CHOL_VEC);
            int gemmFrom = device.get(DeviceTuning.Key.GEMM_ENGINE) == 1 ? device.get(DeviceTuning.Key.CHOL_GEMM_FROM)
                    : Integer.MAX_VALUE;
            return new Tuning(device.get(DeviceTuning.Key.CHOL_SMALL), device.get(DeviceTuning.Key.CHOL_BLOCK),
                    Integer.MAX_VALUE, narrower ? 0 : device.get(DeviceTuning.Key.CHOL_VEC),
                    device.get(DeviceTuning.Key.CHOL_ROWS), gemmFrom);
        }

        public Tuning withClblastFrom(int rows) {
            return new Tuning(smallMax, block, rows, vec, rowsPerItem, gemmFrom);
        }

        public Tuning withSmallMax(int n) {
            return new Tuning(n, block, clblastFrom, vec, rowsPerItem, gemmFrom);
        }

        public Tuning withGemmFrom(int rows) {
            return new Tuning(smallMax, block, clblastFrom, vec, rowsPerItem, rows);
        }
    }

    static final int DEFAULT_ROWS_PER_ITEM = 8;

    /**
     * What the last factorisation (and condition estimate) found; one host read.
     *
     * @param failedPivot    0-based index of the pivot that failed, -1 when the factorisation succeeded
     * @param pivotValue     the failing pivot's value (0 when none failed)
     * @param minPivot       smallest |pivot| accepted (pivots are u_jj^2)
     * @param maxPivot       largest |pivot| accepted
     * @param negativePivots pivots kept with a negative sign (only with allowNegative)
     * @param maxDiagonal    max_j |H_jj| before the shift
     * @param norm           power-method estimate of ||A||_2 (0 if not estimated)
     * @param minSingular    inverse-iteration estimate of 1 / ||A^-1||_2 (0 if not estimated)
     */
    public record Info(int failedPivot, double pivotValue, double minPivot, double maxPivot, int negativePivots,
                       double maxDiagonal, double norm, double minSingular) {
        public boolean ok() {
            return failedPivot < 0;
        }

        /**
         * A lower bound on kappa_2(A): the larger of the iteration estimate norm / minSingular and,
         * for a positive definite factor, maxPivot / minPivot (every Cholesky pivot lies between the
         * extreme eigenvalues of A). Infinite when the factorisation failed.
         */
        public double conditionEstimate() {
            if (!ok()) {
                return Double.POSITIVE_INFINITY;
            }
            double k = norm > 0 && minSingular > 0 ? norm / minSingular : 1;
            if (negativePivots == 0 && minPivot > 0) {
                k = Math.max(k, maxPivot / minPivot);
            }
            return k;
        }
    }

    private final ClRuntime rt;
    private final Precision precision;
    private final Precision acc;
    private final int n;
    private final Tuning tuning;
    private final Program program;
    private final int wgs;
    private final int vec;
    private final int ti;
    private final DeviceArray f;
    private final DeviceArray orig;
    private final DeviceArray sign;
    private final DeviceArray info;
    private final DeviceArray work;
    private Gemm gemm;
    private DeviceArray lastH;
    private double lastLambda;
    private boolean factored;

    /** Workspace for n x n matrices of {@code precision} with the device's default tuning. */
    public Cholesky(ClRuntime rt, Precision precision, int n) {
        this(rt, precision, n, Tuning.forDevice(rt.deviceTuning()));
    }

    public Cholesky(ClRuntime rt, Precision precision, int n, Tuning tuning) {
        precision.requireSupportedBy(rt.device());
        if (n < 1) {
            throw new IllegalArgumentException("Cholesky of a " + n + " x " + n + " matrix");
        }
        long bytes = (long) n * n * precision.bytes();
        if (bytes > rt.device().maxAllocation()) {
            throw new UsageException(String.format("a %d x %d %s matrix takes %s, more than one buffer on '%s' holds (%s)",
                    n, n, precision.label(), Format.bytes(bytes), rt.device().name(),
                    Format.bytes(rt.device().maxAllocation())));
        }
        this.rt = rt;
        this.precision = precision;
        this.acc = rt.device().fp64() ? Precision.FP64 : precision;
        this.n = n;
        this.tuning = tuning;
        this.wgs = rt.workGroupSize();
        this.vec = tuning.vec() > 0 ? tuning.vec() : rt.vectorWidth(precision);
        this.ti = tuning.rowsPerItem();
        Map<String, String> defines = new TreeMap<>();
        defines.put("ACC_PRECISION", Integer.toString(acc.bits()));
        defines.put("TI", Integer.toString(ti));
        defines.put("VEC", Integer.toString(vec));
        this.program = rt.program("cholesky.cl", precision, defines);
        if (n - Math.min(n, tuning.block()) >= tuning.gemmFrom()) {
            gemm(); // gemm.cl built with the workspace, not inside the first timed factorisation
        }
        DeviceArray[] made = new DeviceArray[5];
        try {
            made[0] = rt.allocate(precision, (long) n * n);
            made[1] = rt.allocate(precision, n);
            made[2] = rt.allocate(precision, n);
            made[3] = rt.allocate(precision, INFO_LEN);
            made[4] = rt.allocate(precision, 2L * n);
        } catch (RuntimeException e) {
            for (DeviceArray a : made) {
                if (a != null) a.close();
            }
            throw e;
        }
        this.f = made[0];
        this.orig = made[1];
        this.sign = made[2];
        this.info = made[3];
        this.work = made[4];
    }

    public int size() {
        return n;
    }

    public Precision precision() {
        return precision;
    }

    public Tuning tuning() {
        return tuning;
    }

    private Gemm gemm() {
        if (gemm == null) gemm = new Gemm(rt, precision, Gemm.DESCENT);
        return gemm;
    }

    /** The work matrix: U in the upper triangle (with its diagonal), U' in the strict lower one. */
    public DeviceArray factorMatrix() {
        return f;
    }

    /** The signs S (+1 or -1 per pivot). */
    public DeviceArray signs() {
        return sign;
    }

    /** The info array ({@link #INFO_LEN} values; entry 0 is 0 after a successful factorisation). */
    public DeviceArray infoArray() {
        return info;
    }

    /** Whether {@link #refine} sums its residual in float64 (float64 data, or a device with float64). */
    public boolean refinesInFp64() {
        return acc == Precision.FP64;
    }

    /** Factorises H + lambda I (enqueued; see {@link #readInfo()} for the outcome). */
    public void factor(DeviceArray h, double lambda, boolean allowNegative) {
        factor(h, lambda, allowNegative, null, null);
    }

    /**
     * Factorises H + lambda I and solves (H + lambda I) x = b; one launch when n is small. x is zero
     * when the factorisation fails.
     */
    public void factorSolve(DeviceArray h, double lambda, boolean allowNegative, DeviceArray b, DeviceArray x) {
        checkVector(b, "right-hand side");
        checkVector(x, "solution");
        factor(h, lambda, allowNegative, b, x);
        if (n > tuning.smallMax()) {
            solve(b, x);
        }
    }

    private void factor(DeviceArray h, double lambda, boolean allowNegative, DeviceArray b, DeviceArray x) {
        checkMatrix(h);
        if (!Double.isFinite(lambda) || lambda < 0) {
            throw new IllegalArgumentException("shift lambda = " + lambda + " must be finite and >= 0");
        }
        double tol = n * precision.unitRoundoff();
        lastH = h;
        lastLambda = lambda;
        factored = true;
        try (PhaseTimer.Scope s = rt.timer().wall(Phase.SOLVE)) {
            if (n <= tuning.smallMax()) {
                boolean solve = b != null;
                program.kernel("chol_small").args(n, n, h, f, orig, sign, info, lambda, allowNegative ? 1 : 0, tol,
                        solve ? 1 : 0, solve ? b : f, solve ? x : f).launch(Phase.SOLVE, wgs, wgs);
                return;
            }
            program.kernel("chol_prepare").args(n, n, h, f, orig, sign, info, lambda)
                    .launch(Phase.SOLVE, n, wgs);
            if (n - Math.min(n, tuning.block()) >= tuning.gemmFrom()) {
                recursive(0, n, allowNegative, tol);
                mirror();
                return;
            }
            int nb = tuning.block();
            for (int o = 0; o < n; o += nb) {
                int bs = Math.min(nb, n - o);
                int s0 = o + bs;
                int rest = n - s0;
                program.kernel("chol_block").args(o, bs, n, f, orig, sign, info, allowNegative ? 1 : 0, tol)
                        .launch(Phase.SOLVE, wgs, wgs);
                if (rest == 0) {
                    break;
                }
                if (!allowNegative && rest >= tuning.clblastFrom()) {
                    clblastPanelAndUpdate(o, bs, rest);
                    continue;
                }
                panel(o, bs);
                long chunks = (rest + vec - 1) / vec;
                long rowTiles = (rest + ti - 1) / ti;
                program.kernel("chol_update").args(o, bs, n, n, f, sign, info)
                        .launch(Phase.SOLVE, new long[]{Kernel.roundUp(chunks, wgs), rowTiles}, new long[]{wgs, 1});
            }
            mirror();
        }
    }

    /** The block row right of the diagonal block at (o, o), bs rows: U_JJ' S_J \ A_J,rest. */
    private void panel(int o, int bs) {
        long chunks = (n - o - bs + vec - 1) / vec;
        program.kernel("chol_panel").args(o, bs, n, n, f, sign, info).launch(Phase.SOLVE, Kernel.roundUp(chunks, wgs), wgs);
    }

    private void mirror() {
        long tiles = (n + MIRROR_TILE - 1) / MIRROR_TILE;
        int local = (int) Math.min(wgs, 8);
        program.kernel("chol_mirror").args(n, n, f, info)
                .launch(Phase.SOLVE, new long[]{Kernel.roundUp(tiles, local), tiles}, new long[]{local, 1});
    }

    /** cholesky.cl's MT: the mirror's tile edge. */
    private static final int MIRROR_TILE = 16;

    /**
     * The recursive factorisation (Gustavson's recursive Cholesky, on U's rows), every product by
     * gemm.cl. {@code rows(a, b)} factors rows [a, b) of U, all of whose updates from rows above a
     * have been applied: it factors the first half, applies that half's update to the second, A_[mid,b),[mid,n)
     * -= U_[a,mid),[mid,b)' S U_[a,mid),[mid,n) (one product of k = mid - a, upper-triangle register
     * blocks only), then factors the second half. Rows of at most {@link Tuning#block()} are the base:
     * the diagonal block (chol_block) and the block row right of it (chol_panel). Almost all flops thus
     * run in products of large k, where each entry of A is read and written once per product (a block
     * column at a time, k = block, read and wrote all of the trailing matrix per block: 70% of the
     * time at n = 2048). The lower triangle is scratch until the mirror.
     */
    private void recursive(int a, int b, boolean allowNegative, double tol) {
        int nb = tuning.block();
        if (b - a <= nb) {
            program.kernel("chol_block").args(a, b - a, n, f, orig, sign, info, allowNegative ? 1 : 0, tol)
                    .launch(Phase.SOLVE, wgs, wgs);
            if (b < n) panel(a, b - a);
            return;
        }
        int blocks = (b - a + nb - 1) / nb;
        int mid = a + (blocks + 1) / 2 * nb;
        recursive(a, mid, allowNegative, tol);
        gemm().gemmScaled(true, false, b - mid, n - mid, mid - a, -1, f, (long) a * n + mid, n, sign, a, f,
                (long) a * n + mid, n, 1, f, (long) mid * n + mid, n, true, Phase.SOLVE);
        recursive(mid, b, allowNegative, tol);
    }

    /**
     * The block row right of block (o, o) by CLBlast TRSM (U_JJ' X = A_J,rest) and the trailing
     * matrix by SYRK (A_rest -= X' X, upper triangle). Their events go to the phase timer, which
     * releases them. Only for Cholesky: S = I.
     */
    private void clblastPanelAndUpdate(int o, int bs, int rest) {
        int s0 = o + bs;
        cl_event trsmStart = rt.marker();
        cl_event trsm = new cl_event();
        int rc = precision == Precision.FP64
                ? CLBlast.CLBlastDtrsm(CLBlastLayout.CLBlastLayoutRowMajor, CLBlastSide.CLBlastSideLeft,
                CLBlastTriangle.CLBlastTriangleUpper, CLBlastTranspose.CLBlastTransposeYes,
                CLBlastDiagonal.CLBlastDiagonalNonUnit, bs, rest, 1.0, f.mem(), (long) o * n + o, n, f.mem(),
                (long) o * n + s0, n, rt.queue(), trsm)
                : CLBlast.CLBlastStrsm(CLBlastLayout.CLBlastLayoutRowMajor, CLBlastSide.CLBlastSideLeft,
                CLBlastTriangle.CLBlastTriangleUpper, CLBlastTranspose.CLBlastTransposeYes,
                CLBlastDiagonal.CLBlastDiagonalNonUnit, bs, rest, 1.0f, f.mem(), (long) o * n + o, n, f.mem(),
                (long) o * n + s0, n, rt.queue(), trsm);
        checkBlast(rc, "TRSM", trsmStart, trsm);
        cl_event syrkStart = rt.marker();
        cl_event syrk = new cl_event();
        rc = precision == Precision.FP64
                ? CLBlast.CLBlastDsyrk(CLBlastLayout.CLBlastLayoutRowMajor, CLBlastTriangle.CLBlastTriangleUpper,
                CLBlastTranspose.CLBlastTransposeYes, rest, bs, -1.0, f.mem(), (long) o * n + s0, n, 1.0, f.mem(),
                (long) s0 * n + s0, n, rt.queue(), syrk)
                : CLBlast.CLBlastSsyrk(CLBlastLayout.CLBlastLayoutRowMajor, CLBlastTriangle.CLBlastTriangleUpper,
                CLBlastTranspose.CLBlastTransposeYes, rest, bs, -1.0f, f.mem(), (long) o * n + s0, n, 1.0f, f.mem(),
                (long) s0 * n + s0, n, rt.queue(), syrk);
        checkBlast(rc, "SYRK", syrkStart, syrk);
    }

    /** CLBlast hands back its last kernel's event only: timed as a span from the marker before the call. */
    private void checkBlast(int rc, String what, cl_event marker, cl_event ev) {
        if (rc != 0) {
            org.jocl.CL.clReleaseEvent(marker);
            throw new ClException(rc, "CLBlast " + what + " in the blocked Cholesky (" + n + " x " + n + ", "
                    + precision.label() + ")");
        }
        rt.timer().recordSpan(Phase.SOLVE, marker, ev);
    }

    /** x = (H + lambda I)^-1 b with the last factorisation (x = 0 if it failed). b and x may not alias. */
    public void solve(DeviceArray b, DeviceArray x) {
        requireFactored();
        checkVector(b, "right-hand side");
        checkVector(x, "solution");
        try (PhaseTimer.Scope s = rt.timer().wall(Phase.SOLVE)) {
            program.kernel("chol_solve").args(n, n, f, sign, info, b, x).launch(Phase.SOLVE, wgs, wgs);
        }
    }

    /**
     * One step of iterative refinement of x, the solution of (H + lambda I) x = b from the last
     * factorisation: r = b - (H + lambda I) x with each row summed in float64 where the device has it
     * (also for float32 data) and rounded once, then x += A^-1 r with the same factor. {@code r} and
     * {@code c} are scratch vectors of length n.
     */
    public void refine(DeviceArray b, DeviceArray x, DeviceArray r, DeviceArray c) {
        requireFactored();
        checkVector(b, "right-hand side");
        checkVector(x, "solution");
        checkVector(r, "residual");
        checkVector(c, "correction");
        try (PhaseTimer.Scope s = rt.timer().wall(Phase.SOLVE)) {
            program.kernel("chol_residual").args(n, n, lastH, lastLambda, b, x, r, info).launch(Phase.SOLVE, n, wgs);
            program.kernel("chol_solve").args(n, n, f, sign, info, r, c).launch(Phase.SOLVE, wgs, wgs);
            program.kernel("chol_add").args(n, x, c, info).launch(Phase.SOLVE, n, wgs);
        }
    }

    /**
     * Estimates ||A||_2 and 1 / ||A^-1||_2 of the last factorised A = H + lambda I by {@code
     * iterations} steps each of the power method and of inverse iteration (one work-group, O(n^2) per
     * step); the results go to the info array. Nothing happens if the factorisation failed.
     */
    public void estimateCondition(int iterations) {
        requireFactored();
        if (iterations < 1) {
            throw new IllegalArgumentException("condition estimate with " + iterations + " iterations");
        }
        try (PhaseTimer.Scope s = rt.timer().wall(Phase.SOLVE)) {
            program.kernel("chol_condest").args(n, n, lastH, lastLambda, f, sign, info, iterations, work)
                    .launch(Phase.SOLVE, wgs, wgs);
        }
    }

    /** Reads the info array (one host read: waits for the queue). */
    public Info readInfo() {
        double[] v = info.read();
        int status = (int) v[0];
        return new Info(status - 1, v[7], v[1], v[2], (int) v[3], v[4], v[5], v[6]);
    }

    private void requireFactored() {
        if (!factored) {
            throw new IllegalStateException("solve before any factorisation");
        }
    }

    private void checkMatrix(DeviceArray h) {
        if (h.precision() != precision || h.length() < (long) n * n) {
            throw new IllegalArgumentException("Cholesky of " + n + " x " + n + " " + precision.label() + " needs "
                    + (long) n * n + " values, got " + h.length() + " " + h.precision().label());
        }
    }

    private void checkVector(DeviceArray v, String what) {
        if (v.precision() != precision || v.length() < n) {
            throw new IllegalArgumentException("Cholesky " + what + ": need " + n + " " + precision.label()
                    + " values, got " + v.length() + " " + v.precision().label());
        }
    }

    @Override
    public void close() {
        if (gemm != null) gemm.close();
        f.close();
        orig.close();
        sign.close();
        info.close();
        work.close();
    }
}
