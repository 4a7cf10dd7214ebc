package io.descent.linalg;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Exactly rounded sums and dot products on the host, the reference that device reductions are
 * checked against. A plain double loop over a million terms is itself off by about sqrt(n) units in
 * the last place, enough to fail a float64 device result that is right; these sums are exact until
 * the final rounding (BigDecimal holds every double and every product of two doubles exactly).
 */
public final class ExactSum {
    private ExactSum() {
    }

    /** sum(x), correctly rounded to double. */
    public static double sum(double[] x) {
        BigDecimal s = BigDecimal.ZERO;
        for (double v : x) {
            s = s.add(new BigDecimal(v));
        }
        return s.round(MathContext.DECIMAL128).doubleValue();
    }

    /** sum(x_i * y_i), correctly rounded to double. */
    public static double dot(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("dot of " + x.length + " and " + y.length + " values");
        }
        BigDecimal s = BigDecimal.ZERO;
        for (int i = 0; i < x.length; i++) {
            s = s.add(new BigDecimal(x[i]).multiply(new BigDecimal(y[i])));
        }
        return s.round(MathContext.DECIMAL128).doubleValue();
    }
}
