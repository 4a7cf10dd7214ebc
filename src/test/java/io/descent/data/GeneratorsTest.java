package io.descent.data;

import io.descent.UsageException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorsTest {
    @Test
    void seed000RegressionIsReproducibleAndSeedDependent() {
        Generated a = Generators.seed000Regression(500, 10, 42);
        Generated b = Generators.seed000Regression(500, 10, 42);
        Generated c = Generators.seed000Regression(500, 10, 43);
        assertArrayEquals(a.data().x(), b.data().x());
        assertArrayEquals(a.data().y(), b.data().y());
        assertArrayEquals(a.trueWeights(), b.trueWeights());
        assertFalse(java.util.Arrays.equals(a.data().x(), c.data().x()));
        assertFalse(java.util.Arrays.equals(a.data().y(), c.data().y()));
        assertFalse(java.util.Arrays.equals(a.trueWeights(), c.trueWeights()));
    }

    @Test
    void seed000RegressionFollowsTheRecipeAtTheDefaultSize() {
        Generated g = Generators.seed000Regression(Generators.SEED000_ROWS, Generators.SEED000_FEATURES, 7);
        Dataset d = g.data();
        int n = 1_000_000;
        int cols = 11;
        assertEquals(n, d.rows());
        assertEquals(cols, d.cols());
        assertEquals(n * cols, d.x().length);
        assertEquals(n, d.y().length);
        assertEquals(cols, g.trueWeights().length);
        assertEquals(List.of("const", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10"), d.columns());
        assertEquals("y", d.target());
        assertNull(d.mean());
        double[] w = g.trueWeights();
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(1.0, d.x(i, 0), "row " + i + ": first column is ones");
            double acc = 0;
            for (int j = 0; j < cols; j++) {
                acc += d.x(i, j) * w[j];
            }
            if (Double.doubleToLongBits(acc) != Double.doubleToLongBits(d.y()[i])) {
                assertEquals(acc, d.y()[i], 0.0, "row " + i + ": y = X true_w exactly in float64");
            }
            for (int j = 1; j < cols; j++) {
                sum += d.x(i, j);
                sumSq += d.x(i, j) * d.x(i, j);
            }
        }
        int m = n * (cols - 1);
        double mean = sum / m;
        double var = sumSq / m - mean * mean;
        assertEquals(0, mean, 5 * Math.sqrt(1.0 / m), "features ~ N(0, 1): mean");
        assertEquals(1, var, 5 * Math.sqrt(2.0 / m), "features ~ N(0, 1): variance");
    }

    @Test
    void seed000TrueWeightsHaveStandardDeviationFive() {
        // 2001 weights: the sample std of N(0, 25) draws has a standard error near 5 / sqrt(4000) = 0.08.
        double[] w = Generators.seed000Regression(2, 2000, 1).trueWeights();
        assertEquals(0, mean(w), 5 * 5 / Math.sqrt(w.length));
        assertEquals(5, std(w), 0.4);
        // and for the seed's size (11 weights) over many seeds
        double[] pooled = new double[11 * 200];
        for (int s = 0; s < 200; s++) {
            System.arraycopy(Generators.seed000Regression(1, 10, s).trueWeights(), 0, pooled, 11 * s, 11);
        }
        assertEquals(5, std(pooled), 0.4);
    }

    @Test
    void seed000TrueWeightsDoNotDependOnTheRowCount() {
        assertArrayEquals(Generators.seed000Regression(3, 4, 9).trueWeights(),
                Generators.seed000Regression(3000, 4, 9).trueWeights());
    }

    @Test
    void seed001LineFollowsTheRecipe() {
        for (long seed = 0; seed < 5; seed++) {
            Generated g = Generators.seed001Line(seed);
            Dataset d = g.data();
            assertEquals(100, d.rows());
            assertEquals(1, d.cols());
            assertEquals(List.of("x"), d.columns());
            assertArrayEquals(new double[]{2, 5}, g.trueWeights(), "{intercept, slope}");
            double[] x = d.x();
            assertEquals(-10.0, x[0], 0.0);
            assertEquals(10.0, x[99], 0.0);
            for (int i = 1; i < 100; i++) {
                assertEquals(20.0 / 99, x[i] - x[i - 1], 1e-12, "evenly spaced at " + i);
            }
            double[] fit = leastSquaresLine(x, d.y());
            // standard errors: intercept 3 / sqrt(100) = 0.3, slope 3 / sqrt(sum (x - mean)^2) = 0.051
            assertEquals(2, fit[0], 1.5, "intercept, seed " + seed);
            assertEquals(5, fit[1], 0.25, "slope, seed " + seed);
            double[] residual = new double[100];
            for (int i = 0; i < 100; i++) {
                residual[i] = d.y()[i] - fit[0] - fit[1] * x[i];
            }
            assertEquals(3, std(residual), 0.8, "noise std, seed " + seed);
        }
        assertArrayEquals(Generators.seed001Line(3).data().y(), Generators.seed001Line(3).data().y());
        assertFalse(java.util.Arrays.equals(Generators.seed001Line(3).data().y(), Generators.seed001Line(4).data().y()));
    }

    @Test
    void lineWithoutNoiseIsExact() {
        Generated g = Generators.line(11, -1.5, 4, 0, 0);
        double[] x = g.data().x();
        assertArrayEquals(new double[]{-10, -8, -6, -4, -2, 0, 2, 4, 6, 8, 10}, x, 1e-12);
        for (int i = 0; i < 11; i++) {
            assertEquals(-1.5 * x[i] + 4, g.data().y()[i], 0.0);
        }
    }

    @Test
    void seed000MlpTargetIsTheRowSum() {
        Dataset d = Generators.seed000Mlp(10_000, 20, 0);
        assertEquals(10_000, d.rows());
        assertEquals(20, d.cols());
        assertEquals("x1", d.columns().get(0));
        assertEquals("x20", d.columns().get(19));
        for (int i = 0; i < d.rows(); i++) {
            double acc = 0;
            for (int j = 0; j < d.cols(); j++) {
                acc += d.x(i, j);
            }
            assertEquals(acc, d.y()[i], 0.0, "row " + i);
        }
        assertEquals(0, mean(d.x()), 5 * Math.sqrt(1.0 / d.x().length));
        assertEquals(1, std(d.x()), 0.01);
        assertArrayEquals(d.x(), Generators.seed000Mlp(10_000, 20, 0).x());
        assertFalse(java.util.Arrays.equals(d.x(), Generators.seed000Mlp(10_000, 20, 1).x()));
    }

    @Test
    void twoClassLabelsFollowTheLogisticModelAndOverlap() {
        int n = 20_000;
        int k = 5;
        Generated g = Generators.twoClass(n, k, 3);
        Dataset d = g.data();
        double[] w = g.trueWeights();
        assertEquals(n, d.rows());
        assertEquals(k, d.cols());
        assertEquals(k + 1, w.length);
        assertEquals(Generators.TWO_CLASS_INTERCEPT, w[0], 0.0);
        int ones = 0;
        int agree = 0;
        int wrongSideOfBoundary0 = 0;
        int wrongSideOfBoundary1 = 0;
        double expectedOnes = 0;
        for (int i = 0; i < n; i++) {
            double yi = d.y()[i];
            assertTrue(yi == 0 || yi == 1, "row " + i + ": label " + yi);
            double z = w[0];
            for (int j = 0; j < k; j++) {
                z += d.x(i, j) * w[j + 1];
            }
            expectedOnes += 1 / (1 + Math.exp(-z));
            ones += (int) yi;
            if ((z > 0) == (yi == 1)) {
                agree++;
            } else if (yi == 1) {
                wrongSideOfBoundary1++;
            } else {
                wrongSideOfBoundary0++;
            }
        }
        assertTrue(ones > 0 && ones < n, "both classes present: " + ones + " ones of " + n);
        // labels ~ Bernoulli(sigmoid(z)): the count of ones is within 5 standard deviations of its mean
        assertEquals(expectedOnes, ones, 5 * Math.sqrt(n / 4.0));
        // the classes overlap: each class has rows on the other side of the true boundary
        assertTrue(wrongSideOfBoundary0 > n / 50 && wrongSideOfBoundary1 > n / 50,
                wrongSideOfBoundary0 + " zeros and " + wrongSideOfBoundary1 + " ones on the other side");
        double accuracy = (double) agree / n;
        assertTrue(accuracy > 0.65 && accuracy < 0.92, "Bayes accuracy " + accuracy);
        assertArrayEquals(d.y(), Generators.twoClass(n, k, 3).data().y());
        assertFalse(java.util.Arrays.equals(d.x(), Generators.twoClass(n, k, 4).data().x()));
    }

    @Test
    void badSizesAreUsageErrorsNamingTheValue() {
        UsageException e = assertThrows(UsageException.class, () -> Generators.seed000Regression(0, 10, 1));
        assertTrue(e.getMessage().contains("n (rows) = 0"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Generators.seed000Regression(10, -1, 1));
        assertTrue(e.getMessage().contains("k (feature columns) = -1"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Generators.seed000Regression(Integer.MAX_VALUE, 10, 1));
        assertTrue(e.getMessage().contains("more than one Java array holds"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Generators.line(1, 5, 2, 3, 1));
        assertTrue(e.getMessage().contains("n (points) = 1"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Generators.line(10, 5, 2, -3, 1));
        assertTrue(e.getMessage().contains("noise = -3.0"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Generators.line(10, Double.NaN, 2, 3, 1));
        assertTrue(e.getMessage().contains("slope = NaN"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Generators.seed000Mlp(10, 0, 1));
        assertTrue(e.getMessage().contains("dimIn = 0"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Generators.twoClass(10, 0, 1));
        assertTrue(e.getMessage().contains("k (feature columns) = 0"), e.getMessage());
    }

    /** {intercept, slope} of the least-squares line. */
    static double[] leastSquaresLine(double[] x, double[] y) {
        double mx = mean(x);
        double my = mean(y);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double slope = sxy / sxx;
        return new double[]{my - slope * mx, slope};
    }

    static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }

    /** Population standard deviation. */
    static double std(double[] a) {
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / a.length);
    }
}
