package io.descent.optim;

/**
 * A float64 reference value with a bound on how far the device's value of the same expression can
 * be from it: midpoint-radius arithmetic following the kernel's operations one by one (running error
 * analysis). {@code v} is the plain-Java float64 reference; {@code r} bounds |device - v|.
 *
 * <p>Error model of one device operation on device inputs x^ = x + dx (|dx| <= r_x): the exact
 * result of the operation on x^ differs from the operation on x by what the inputs' errors
 * propagate (written out per operation below, rigorous, not only first order), and the device
 * rounds that result with relative error at most {@code u} for + - * (IEEE; a contraction into an
 * fma rounds once, which the model over-covers), {@code uDiv} for / and {@code uSqrt} for sqrt. In
 * float32 OpenCL C allows 2.5 ulp for division and 3 ulp for sqrt, and an ulp is at most 2u, so
 * uDiv = 5u and uSqrt = 6u; float64 is correctly rounded (u). The reference's own rounding, U64
 * per operation relative to its result, is added to every radius, so the radius bounds |device -
 * v| and not only |device - exact|.
 */
record Bounded(double v, double r) {
    static final double U64 = 0x1p-53;

    /** The operations of one device precision. */
    record Arith(double u, double uDiv, double uSqrt) {
        static Arith of(io.descent.cl.Precision p) {
            double u = p.unitRoundoff();
            return p == io.descent.cl.Precision.FP32 ? new Arith(u, 5 * u, 6 * u) : new Arith(u, u, u);
        }

        /** A value the device holds exactly (read back from it before the step). */
        Bounded exact(double x) {
            return new Bounded(x, 0);
        }

        /** A host float64 scalar passed as a {@code real} kernel argument: rounded once. */
        Bounded arg(double x) {
            return new Bounded(x, u * Math.abs(x));
        }

        private Bounded rounded(double v, double propagated, double uOp) {
            return new Bounded(v, propagated + uOp * (Math.abs(v) + propagated) + 2 * U64 * Math.abs(v));
        }

        Bounded add(Bounded a, Bounded b) {
            return rounded(a.v + b.v, a.r + b.r, u);
        }

        Bounded sub(Bounded a, Bounded b) {
            return rounded(a.v - b.v, a.r + b.r, u);
        }

        Bounded mul(Bounded a, Bounded b) {
            return rounded(a.v * b.v, Math.abs(a.v) * b.r + Math.abs(b.v) * a.r + a.r * b.r, u);
        }

        /** |a^/b^ - a/b| <= (r_a + |a/b| r_b) / (|b| - r_b) while r_b < |b|; unbounded otherwise. */
        Bounded div(Bounded a, Bounded b) {
            double q = a.v / b.v;
            double lo = Math.abs(b.v) - b.r;
            double prop = lo > 0 ? (a.r + Math.abs(q) * b.r) / lo : Double.POSITIVE_INFINITY;
            return rounded(q, prop, uDiv);
        }

        /** |sqrt(a^) - sqrt(a)| <= min(r_a / (sqrt(a) + sqrt(max(a - r_a, 0))), sqrt(r_a)), a >= 0. */
        Bounded sqrt(Bounded a) {
            double s = Math.sqrt(a.v);
            double prop = 0;
            if (a.r > 0) {
                double den = s + Math.sqrt(Math.max(a.v - a.r, 0));
                prop = Math.min(den > 0 ? a.r / den : Double.POSITIVE_INFINITY, Math.sqrt(a.r));
            }
            return rounded(s, prop, uSqrt);
        }
    }

    /** True when the device value {@code x} is within the radius. */
    boolean contains(double x) {
        return Math.abs(x - v) <= r;
    }

    static Bounded[] exact(double[] x) {
        Bounded[] b = new Bounded[x.length];
        for (int i = 0; i < x.length; i++) b[i] = new Bounded(x[i], 0);
        return b;
    }

    static double[] values(Bounded[] b) {
        double[] x = new double[b.length];
        for (int i = 0; i < b.length; i++) x[i] = b[i].v;
        return x;
    }
}
