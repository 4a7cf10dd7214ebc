package io.descent.objective;

import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.cl.Program;
import io.descent.profile.Phase;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The test functions of seed 002 on the device ({@code opencl/functions.cl}), by name:
 * <ul>
 *   <li>{@code x2}: f(x) = x^2 (1 parameter); start x = 10, minimiser 0.</li>
 *   <li>{@code xcos}: f(x) = x cos(c x), c = 0.15 pi by default (1 parameter); start x = 10; no
 *       minimiser (infinitely many local minima, unbounded below).</li>
 *   <li>{@code cosh}: f(x) = cosh(c x), c = 0.5 by default (1 parameter); start x = 10, minimiser 0.</li>
 *   <li>{@code quadratic2d}: f(x1, x2) = x1^2 + 2 x2^2 (2 parameters); start (-5, -2) as in the seed's
 *       train_2d, minimiser (0, 0).</li>
 *   <li>{@code rosenbrock}: the "pairs" form in any even dimension p,
 *       f(x) = sum_{i=0}^{p/2-1} [100 (x_{2i}^2 - x_{2i+1})^2 + (x_{2i} - 1)^2]; start
 *       (-1.2, 1, -1.2, 1, ...), minimiser (1, ..., 1). Its Hessian is block-diagonal with 2 x 2
 *       blocks [[1200 x_{2i}^2 - 400 x_{2i+1} + 2, -400 x_{2i}], [-400 x_{2i}, 200]].</li>
 * </ul>
 * The function is a compile-time define of the program (one small program per function and
 * precision); c and p are kernel arguments, so other values of c reuse the build. Values are summed
 * over blocks (pairs for Rosenbrock) by one work-group, so the dimension is limited only by memory
 * (the dense Hessian takes p^2 values).
 */
public final class TestFunction extends Objective {
    /** One function: name, FUNCTION define, block size, fixed dimension (0: any even), default c. */
    private enum Spec {
        X2("x2", 1, 1, 1, Double.NaN),
        XCOS("xcos", 2, 1, 1, 0.15 * Math.PI),
        COSH("cosh", 3, 1, 1, 0.5),
        QUADRATIC2D("quadratic2d", 4, 2, 2, Double.NaN),
        ROSENBROCK("rosenbrock", 5, 2, 0, Double.NaN);

        final String key;
        final int code;
        final int block;
        final int dimension;
        final double defaultC;

        Spec(String key, int code, int block, int dimension, double defaultC) {
            this.key = key;
            this.code = code;
            this.block = block;
            this.dimension = dimension;
            this.defaultC = defaultC;
        }

        boolean takesC() {
            return !Double.isNaN(defaultC);
        }
    }

    private final Spec spec;
    private final int p;
    private final double c;
    private final Program program;
    private final int wgs;

    /**
     * The function {@code name} in {@code dimension} parameters, with the default c where it has one.
     *
     * @throws UsageException an unknown name (the message lists the valid ones) or a dimension the
     *                        function does not have
     */
    public TestFunction(ClRuntime runtime, Precision precision, String name, int dimension) {
        this(runtime, precision, name, dimension, Double.NaN);
    }

    /**
     * As {@link #TestFunction(ClRuntime, Precision, String, int)} with the constant c of xcos or cosh
     * ({@code NaN}: the default). Passing c to a function without one is a usage error.
     */
    public TestFunction(ClRuntime runtime, Precision precision, String name, int dimension, double c) {
        super(runtime, precision);
        this.spec = lookup(name);
        checkDimension(spec, dimension);
        if (!Double.isNaN(c) && !spec.takesC()) {
            throw new UsageException("test function '" + spec.key + "' has no constant c (only xcos and cosh do)");
        }
        if (Double.isInfinite(c)) {
            throw new UsageException("test function '" + spec.key + "': c = " + c + " must be finite");
        }
        this.p = dimension;
        this.c = Double.isNaN(c) ? spec.defaultC : c;
        this.program = runtime.program("functions.cl", precision, Map.of("FUNCTION", Integer.toString(spec.code)));
        this.wgs = runtime.workGroupSize();
    }

    /** x^2 and x1^2 + 2 x2^2 are quadratics. */
    @Override
    public boolean isQuadratic() {
        return spec == Spec.X2 || spec == Spec.QUADRATIC2D;
    }

    /** The valid names, in order. */
    public static List<String> names() {
        return Arrays.stream(Spec.values()).map(s -> s.key).toList();
    }

    /** The function's fixed dimension, or 2 for Rosenbrock (which takes any even dimension). */
    public static int defaultDimension(String name) {
        Spec s = lookup(name);
        return s.dimension > 0 ? s.dimension : 2;
    }

    private static Spec lookup(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Spec s : Spec.values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        throw new UsageException("unknown test function '" + name + "': use one of " + String.join(", ", names()));
    }

    private static void checkDimension(Spec spec, int dimension) {
        if (spec.dimension > 0 && dimension != spec.dimension) {
            throw new UsageException("test function '" + spec.key + "' has dimension " + spec.dimension
                    + ", got " + dimension);
        }
        if (spec.dimension == 0 && (dimension < 2 || dimension % 2 != 0)) {
            throw new UsageException("test function '" + spec.key + "' needs an even dimension >= 2 (it sums over"
                    + " pairs of parameters), got " + dimension);
        }
    }

    /**
     * f(x) evaluated on the host in float64 (for plots: contour maps and curves under the iterates;
     * the device is what optimizers use).
     */
    public double hostValue(double[] x) {
        switch (spec) {
            case X2:
                return x[0] * x[0];
            case XCOS:
                return x[0] * Math.cos(c * x[0]);
            case COSH:
                return Math.cosh(c * x[0]);
            case QUADRATIC2D:
                return x[0] * x[0] + 2 * x[1] * x[1];
            default: {
                double f = 0;
                for (int i = 0; i + 1 < x.length; i += 2) {
                    double a = x[i] * x[i] - x[i + 1], b = x[i] - 1;
                    f += 100 * a * a + b * b;
                }
                return f;
            }
        }
    }

    /** The function's name as given to the constructor: x2, xcos, cosh, quadratic2d or rosenbrock. */
    public String function() {
        return spec.key;
    }

    /** The constant c of xcos and cosh; NaN for the other functions. */
    public double c() {
        return c;
    }

    @Override
    public String name() {
        String cPart = spec.takesC() ? ", c = " + c : "";
        return spec.key + " (" + p + (p == 1 ? " parameter" : " parameters") + cPart + ")";
    }

    @Override
    public int parameterCount() {
        return p;
    }

    /**
     * The default starting point: x = 10 for x2, xcos and cosh (seed 002); (-5, -2) for quadratic2d
     * (the seed's train_2d); (-1.2, 1, -1.2, 1, ...) for Rosenbrock (the classic start).
     */
    public double[] start() {
        double[] x = new double[p];
        switch (spec) {
            case X2, XCOS, COSH -> x[0] = 10;
            case QUADRATIC2D -> {
                x[0] = -5;
                x[1] = -2;
            }
            case ROSENBROCK -> {
                for (int i = 0; i < p; i += 2) {
                    x[i] = -1.2;
                    x[i + 1] = 1;
                }
            }
        }
        return x;
    }

    /**
     * The global minimiser: 0 for x2 and cosh, (0, 0) for quadratic2d, all ones for Rosenbrock (f = 0,
     * f = 1 for cosh); null for xcos, which is unbounded below.
     */
    public double[] minimizer() {
        double[] x = new double[p];
        switch (spec) {
            case XCOS -> {
                return null;
            }
            case ROSENBROCK -> Arrays.fill(x, 1.0);
            default -> {
            }
        }
        return x;
    }

    /** The longest chain of additions a block's value goes through in a sum: ceil(blocks / WGS) + log2(WGS). */
    public int sumChainLength() {
        int blocks = p / spec.block;
        return (blocks + wgs - 1) / wgs + Integer.numberOfTrailingZeros(wgs);
    }

    /** {@link #start()}: the test functions have a fixed starting point, whatever the seed. */
    @Override
    public double[] initialParameters(Random random) {
        return start();
    }

    @Override
    protected void enqueueLoss(DeviceArray w, DeviceArray out, int index) {
        program.kernel("tf_loss").args(p, cArg(), w, out, index).launch(Phase.LOSS, wgs, wgs);
    }

    @Override
    protected void enqueueLossAndGradient(DeviceArray w, DeviceArray grad, DeviceArray out, int index) {
        program.kernel("tf_loss_gradient").args(p, cArg(), w, grad, out, index).launch(Phase.GRADIENT, wgs, wgs);
    }

    @Override
    protected void enqueueHessian(DeviceArray w, DeviceArray h) {
        program.kernel("tf_hessian").args(p, cArg(), w, h).launch(Phase.HESSIAN, (long) p * p, 0);
    }

    @Override
    protected void enqueueHessianVector(DeviceArray w, DeviceArray v, DeviceArray hv) {
        program.kernel("tf_hessian_vector").args(p, cArg(), w, v, hv).launch(Phase.HESSIAN, p / spec.block, 0);
    }

    @Override
    protected void enqueueLosses(DeviceArray w, DeviceArray direction, DeviceArray steps, int m, DeviceArray out) {
        program.kernel("tf_losses").args(p, cArg(), w, direction, steps, m, out).launch(Phase.LOSS, (long) m * wgs, wgs);
    }

    /** c as a kernel argument ({@code real}); functions without c get 0, which they ignore. */
    private Double cArg() {
        return spec.takesC() ? c : 0.0;
    }
}
