package io.descent.data;

import java.util.SplittableRandom;

/**
 * Standard normal deviates by Marsaglia's polar method on {@link SplittableRandom#nextDouble()},
 * using {@link StrictMath#log}, so a seed gives bit-identical numbers on every JVM (unlike
 * {@code RandomGenerator.nextGaussian()}, whose algorithm is not specified). Each accepted pair of
 * uniforms yields two deviates; the second is returned by the next call.
 */
final class Normal {
    private final SplittableRandom rng;
    private double spare;
    private boolean hasSpare;

    Normal(SplittableRandom rng) {
        this.rng = rng;
    }

    /** The underlying uniform source (for draws that are not normal). */
    SplittableRandom uniform() {
        return rng;
    }

    /** The next N(0, 1) deviate. */
    double next() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u;
        double v;
        double s;
        do {
            u = 2 * rng.nextDouble() - 1;
            v = 2 * rng.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * StrictMath.log(s) / s);
        spare = v * m;
        hasSpare = true;
        return u * m;
    }

    /** Fills {@code a} with N(0, 1) deviates times {@code std}, in index order. */
    void fill(double[] a, double std) {
        for (int i = 0; i < a.length; i++) {
            a[i] = std * next();
        }
    }
}
