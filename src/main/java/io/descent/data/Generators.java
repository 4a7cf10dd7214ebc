package io.descent.data;

import io.descent.UsageException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic data sets from the seed documents, each reproducible from a {@code long} seed.
 *
 * <p>Randomness: {@code new SplittableRandom(seed)} is the root; each generator splits one
 * independent stream off it per quantity (weights, features, noise, labels) in the order its
 * Javadoc gives, so, for example, the true weights do not depend on the number of rows. Normal
 * deviates come from Marsaglia's polar method with {@link StrictMath#log}, so the same seed gives
 * bit-identical arrays on every JVM. Arrays are filled row-major without boxing: 1,000,000 x 11
 * takes well under a second.
 *
 * <p>Sizes that are not positive, or too large for one Java array, are {@link UsageException}s.
 */
public final class Generators {
    /** Rows of seed 000's linear regression. */
    public static final int SEED000_ROWS = 1_000_000;
    /** Random feature columns of seed 000's linear regression (plus the column of ones). */
    public static final int SEED000_FEATURES = 10;
    /** Points on seed 001's line. */
    public static final int SEED001_POINTS = 100;

    /** Intercept of {@link #twoClass}. */
    public static final double TWO_CLASS_INTERCEPT = 0.5;

    /** Largest array Java allocates reliably. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private Generators() {
    }

    /**
     * Seed 000's linear regression ("More Descent, Less Gradient"): {@code X = [1 | Z]} with Z an
     * {@code n x k} matrix of N(0, 1) values, {@code true_w ~ N(0, 5^2)} (standard deviation 5) of
     * length k + 1, and {@code y = X true_w} with no noise, so least squares recovers true_w exactly
     * and the minimum loss is 0.
     *
     * <p>Streams split off the root, in order: true_w, then Z (row by row). Each y_i is summed in
     * float64 over the columns in order, starting from 0: {@code y_i = ((0 + x_i0 w_0) + x_i1 w_1)
     * + ...}. Columns are named {@code const, x1..xk}; the target is {@code y}. The model on this
     * data has no separate intercept: the column of ones is its parameter 0.
     *
     * @param n    rows, at least 1 (the seed uses {@link #SEED000_ROWS})
     * @param k    random feature columns, at least 0 (the seed uses {@link #SEED000_FEATURES})
     * @param seed the seed
     * @return the data set and true_w, aligned with the columns
     */
    public static Generated seed000Regression(int n, int k, long seed) {
        requireAtLeast("seed 000 regression", "n (rows)", n, 1);
        requireAtLeast("seed 000 regression", "k (feature columns)", k, 0);
        int cols = k + 1;
        requireFits("seed 000 regression", n, cols);
        SplittableRandom root = new SplittableRandom(seed);
        Normal weights = new Normal(root.split());
        Normal features = new Normal(root.split());
        double[] w = new double[cols];
        weights.fill(w, 5);
        double[] x = new double[n * cols];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int row = i * cols;
            x[row] = 1;
            double acc = 0;
            acc += x[row] * w[0];
            for (int j = 1; j < cols; j++) {
                double v = features.next();
                x[row + j] = v;
                acc += v * w[j];
            }
            y[i] = acc;
        }
        List<String> names = new ArrayList<>(cols);
        names.add("const");
        for (int j = 1; j < cols; j++) {
            names.add("x" + j);
        }
        String name = "seed000-regression n=" + n + " k=" + k + " seed=" + seed;
        return new Generated(new Dataset(name, n, cols, x, y, names, "y", null, null), w);
    }

    /**
     * Seed 001's line: {@link #SEED001_POINTS} points, slope 5, intercept 2, noise standard
     * deviation 3. Same as {@link #line(int, double, double, double, long)} with those values.
     */
    public static Generated seed001Line(long seed) {
        return line(SEED001_POINTS, 5, 2, 3, seed);
    }

    /**
     * A noisy line: x evenly spaced on [-10, 10] as numpy's {@code linspace(-10, 10, n)} computes
     * it ({@code x_i = -10 + i * (20 / (n - 1))}, and the last point exactly 10), and
     * {@code y = slope * x + intercept + noise * N(0, 1)}. One feature column {@code x}; target
     * {@code y}. One stream, split off the root, gives the noise in row order.
     *
     * @param n         points, at least 2
     * @param slope     true slope
     * @param intercept true intercept
     * @param noise     standard deviation of the noise, finite and at least 0
     * @param seed      the seed
     * @return the data set and {@code {intercept, slope}}: parameter 0 is the intercept, as in a
     *         linear model with an intercept
     */
    public static Generated line(int n, double slope, double intercept, double noise, long seed) {
        requireAtLeast("line", "n (points)", n, 2);
        if (!Double.isFinite(slope) || !Double.isFinite(intercept)) {
            throw new UsageException("line: slope = " + slope + ", intercept = " + intercept
                    + ": both must be finite numbers");
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new UsageException("line: noise = " + noise
                    + ": the noise standard deviation must be a finite number >= 0");
        }
        Normal eps = new Normal(new SplittableRandom(seed).split());
        double step = 20.0 / (n - 1);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i == n - 1 ? 10.0 : i * step + -10.0;
            y[i] = slope * x[i] + intercept + noise * eps.next();
        }
        String name = "line n=" + n + " slope=" + slope + " intercept=" + intercept + " noise=" + noise
                + " seed=" + seed;
        Dataset data = new Dataset(name, n, 1, x, y, List.of("x"), "y", null, null);
        return new Generated(data, new double[]{intercept, slope});
    }

    /**
     * Seed 000's MLP task: x ~ N(0, 1) of {@code nRow x dimIn} (filled row by row from one stream
     * split off the root), and y the row sum of x, added in column order starting from 0. Columns
     * {@code x1..xk}; target {@code y}.
     *
     * @param nRow  rows, at least 1
     * @param dimIn input columns, at least 1
     * @param seed  the seed
     */
    public static Dataset seed000Mlp(int nRow, int dimIn, long seed) {
        requireAtLeast("seed 000 MLP data", "nRow", nRow, 1);
        requireAtLeast("seed 000 MLP data", "dimIn", dimIn, 1);
        requireFits("seed 000 MLP data", nRow, dimIn);
        Normal features = new Normal(new SplittableRandom(seed).split());
        double[] x = new double[nRow * dimIn];
        double[] y = new double[nRow];
        for (int i = 0; i < nRow; i++) {
            int row = i * dimIn;
            double acc = 0;
            for (int j = 0; j < dimIn; j++) {
                double v = features.next();
                x[row + j] = v;
                acc += v;
            }
            y[i] = acc;
        }
        return Dataset.of("seed000-mlp nRow=" + nRow + " dimIn=" + dimIn + " seed=" + seed, nRow, dimIn, x, y);
    }

    /**
     * Two overlapping classes for logistic regression: x ~ N(0, 1) of {@code n x k}, true weights
     * {@code w_j ~ N(0, 1) * 2 / sqrt(k)} (so {@code z = x . w + b} has a standard deviation near 2
     * whatever k), intercept {@code b =} {@value #TWO_CLASS_INTERCEPT}, and labels drawn
     * {@code y_i ~ Bernoulli(sigmoid(z_i))}: 1 when a uniform draw on [0, 1) is below
     * {@code 1 / (1 + exp(-z_i))}, else 0. Because labels are random given x, both classes occur on
     * each side of the true boundary, so when n is well above k the sample is (almost surely) not
     * linearly separable and the unpenalised logistic loss has a finite minimiser near (b, w).
     *
     * <p>Streams split off the root, in order: w, then x (row by row), then the label uniforms.
     * Columns {@code x1..xk}; target {@code y}.
     *
     * @param n    rows, at least 1
     * @param k    feature columns, at least 1
     * @param seed the seed
     * @return the data set and {@code {b, w_1, ..., w_k}}: parameter 0 is the intercept
     */
    public static Generated twoClass(int n, int k, long seed) {
        requireAtLeast("two-class data", "n (rows)", n, 1);
        requireAtLeast("two-class data", "k (feature columns)", k, 1);
        requireFits("two-class data", n, k);
        SplittableRandom root = new SplittableRandom(seed);
        Normal weights = new Normal(root.split());
        Normal features = new Normal(root.split());
        SplittableRandom labels = root.split();
        double[] truth = new double[k + 1];
        truth[0] = TWO_CLASS_INTERCEPT;
        double wScale = 2 / Math.sqrt(k);
        for (int j = 1; j <= k; j++) {
            truth[j] = wScale * weights.next();
        }
        double[] x = new double[n * k];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int row = i * k;
            double z = truth[0];
            for (int j = 0; j < k; j++) {
                double v = features.next();
                x[row + j] = v;
                z += v * truth[j + 1];
            }
            double p = 1 / (1 + StrictMath.exp(-z));
            y[i] = labels.nextDouble() < p ? 1 : 0;
        }
        Dataset data = Dataset.of("two-class n=" + n + " k=" + k + " seed=" + seed, n, k, x, y);
        return new Generated(data, truth);
    }

    private static void requireAtLeast(String what, String param, int value, int min) {
        if (value < min) {
            throw new UsageException(what + ": " + param + " = " + value + ", but it must be at least " + min);
        }
    }

    private static void requireFits(String what, int rows, int cols) {
        if ((long) rows * cols > MAX_ARRAY) {
            throw new UsageException(what + ": " + rows + " rows x " + cols + " columns is " + (long) rows * cols
                    + " values, more than one Java array holds (" + MAX_ARRAY + "); use fewer rows");
        }
    }
}
