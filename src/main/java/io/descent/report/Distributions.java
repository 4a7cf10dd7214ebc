package io.descent.report;

/**
 * Two-sided tail probabilities and quantiles of the normal and Student t distributions, for
 * p-values and confidence intervals: the regularized incomplete gamma and beta functions by series
 * and continued fractions (Numerical Recipes, 3rd ed., 6.2 and 6.4), accurate to about 1e-14 in
 * the range statistics use.
 */
public final class Distributions {
    private static final double EPS = 1e-16;
    private static final double FPMIN = 1e-300;

    private Distributions() {
    }

    /** P(|Z| >= |z|) for a standard normal Z: erfc(|z| / sqrt 2). */
    public static double normalTwoSided(double z) {
        if (Double.isNaN(z)) return Double.NaN;
        double x = Math.abs(z) / Math.sqrt(2);
        return x == 0 ? 1 : gammaQ(0.5, x * x);
    }

    /** P(|T| >= |t|) for Student's t with {@code dof} degrees of freedom: I_(dof / (dof + t^2))(dof / 2, 1 / 2). */
    public static double studentTwoSided(double t, double dof) {
        if (Double.isNaN(t) || !(dof > 0)) return Double.NaN;
        if (Double.isInfinite(t)) return 0;
        return betaI(dof / 2, 0.5, dof / (dof + t * t));
    }

    /** The q with P(|Z| <= q) = {@code level} (1.959963984540054 at 0.95). */
    public static double normalQuantile(double level) {
        return invert(level, q -> 1 - normalTwoSided(q));
    }

    /** The q with P(|T| <= q) = {@code level} for {@code dof} degrees of freedom. */
    public static double studentQuantile(double level, double dof) {
        return invert(level, q -> 1 - studentTwoSided(q, dof));
    }

    private static double invert(double level, java.util.function.DoubleUnaryOperator cdf) {
        double lo = 0, hi = 1;
        while (cdf.applyAsDouble(hi) < level) hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
            double mid = 0.5 * (lo + hi);
            if (cdf.applyAsDouble(mid) < level) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /** Q(a, x) = Gamma(a, x) / Gamma(a), the upper regularized incomplete gamma function. */
    static double gammaQ(double a, double x) {
        if (x < a + 1) {
            return 1 - gammaSeries(a, x);
        }
        return gammaFraction(a, x);
    }

    private static double gammaSeries(double a, double x) {
        double ap = a, sum = 1 / a, del = sum;
        for (int n = 0; n < 10_000; n++) {
            ap++;
            del *= x / ap;
            sum += del;
            if (Math.abs(del) < Math.abs(sum) * EPS) break;
        }
        return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
    }

    private static double gammaFraction(double a, double x) {
        double b = x + 1 - a, c = 1 / FPMIN, d = 1 / b, h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < FPMIN) d = FPMIN;
            c = b + an / c;
            if (Math.abs(c) < FPMIN) c = FPMIN;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < EPS) break;
        }
        return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
    }

    /** I_x(a, b), the regularized incomplete beta function. */
    static double betaI(double a, double b, double x) {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
        if (x < (a + 1) / (a + b + 2)) {
            return front * betaFraction(a, b, x) / a;
        }
        return 1 - front * betaFraction(b, a, 1 - x) / b;
    }

    private static double betaFraction(double a, double b, double x) {
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        if (Math.abs(d) < FPMIN) d = FPMIN;
        d = 1 / d;
        double h = d;
        for (int m = 1; m < 10_000; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < FPMIN) d = FPMIN;
            c = 1 + aa / c;
            if (Math.abs(c) < FPMIN) c = FPMIN;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < FPMIN) d = FPMIN;
            c = 1 + aa / c;
            if (Math.abs(c) < FPMIN) c = FPMIN;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < EPS) break;
        }
        return h;
    }

    /** log Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error about 1e-15). */
    static double logGamma(double x) {
        double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                1.5056327351493116e-7};
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double a = c[0];
        double t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
    }
}
