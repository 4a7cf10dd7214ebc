package io.descent.optim;

import java.util.Random;

/**
 * Rounding injected into a reference computation at the size of the device's error bound: each
 * quantity the device computes (a loss, a gradient component, a dot product, a point) is moved by
 * +-{@link #K} u M, M its first-order magnitude ({@link HostObjective}), with a random sign. {@link
 * #NONE} leaves every value exact.
 *
 * <p>How the tests use it: a reference step run with several independent noises stands for several
 * possible device executions. When they all make the same decisions (accepted counts, trial counts),
 * a correct device makes them too, so the device must match them exactly; when they do not, the
 * step is too close to a tie to test, and the test says so instead of comparing. The spread of their
 * results (times {@link #SPREAD_FACTOR}, a margin for worst cases the random signs miss) plus the
 * rounding of the final update bounds how far the device's parameters may be from the noiseless
 * reference.
 */
final class Noise {
    /** Longest chain of roundings of one device quantity (see {@link HostObjective}). */
    static final double K = 96;
    /** Runs with independent noise per compared step. */
    static final int RUNS = 8;
    /** Safety factor on the spread of the noisy runs. */
    static final double SPREAD_FACTOR = 4;

    static final Noise NONE = new Noise(0, 0);

    private final Random random;
    private final double scale;
    private final double unit;

    /** Noise of K (u + 2^-53) M, u the device's unit roundoff (the reference's own rounding added). */
    Noise(double u, long seed) {
        this(u, K, seed);
    }

    /** Noise of k (u + 2^-53) M: an objective whose chains of roundings are longer than {@link #K}. */
    Noise(double u, double k, long seed) {
        this.random = new Random(seed);
        this.unit = u + (u == 0 ? 0 : 0x1p-53);
        this.scale = k * unit;
    }

    boolean isNone() {
        return scale == 0;
    }

    /** value +- K u magnitude. */
    double of(double value, double magnitude) {
        if (scale == 0) {
            return value;
        }
        return value + (random.nextBoolean() ? 1 : -1) * scale * magnitude;
    }

    /** Component-wise {@link #of}. */
    double[] of(double[] values, double[] magnitudes) {
        double[] r = values.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] = of(r[i], magnitudes[i]);
        }
        return r;
    }

    /** A dot product's result with the reduction's error: +- K u sum |x_i y_i|. */
    double dot(double[] x, double[] yv) {
        double s = 0;
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * yv[i];
            m += Math.abs(x[i] * yv[i]);
        }
        return of(s, m);
    }

    /** w + t d, each component rounded twice (product, sum): +- 2 u (|w| + |t d|). */
    double[] point(double[] w, double t, double[] d) {
        double[] x = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            double v = w[i] + t * d[i];
            x[i] = unit == 0 ? v : v + (random.nextBoolean() ? 1 : -1) * 2 * unit * (Math.abs(w[i]) + Math.abs(t * d[i]));
        }
        return x;
    }

    /** Unit roundoff of the device plus the reference's own (0 for {@link #NONE}). */
    double unit() {
        return unit;
    }
}
