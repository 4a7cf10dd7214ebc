package io.descent.optim;

/**
 * Plain-Java float64 references of one step of each search method, written from the methods'
 * descriptions (the class comments), not from the device code: the same decisions from the same
 * point, with the device's rounding optionally injected ({@link Noise}).
 */
final class SearchReference {
    private SearchReference() {
    }

    /** What a step decided and where it ended. */
    record Outcome(int decision, int evaluations, double[] w, double t) {
    }

    /**
     * KeepStepping: gradient at w, candidates w - lr C_k g (C_k = sum_{i<k} (1 + scaleI sqrt i),
     * summed here in float64 from scratch), accepted while the loss strictly falls, at most maxSteps.
     * The decision is the number accepted.
     */
    static Outcome keepStepping(HostObjective f, double[] w, double lr, int maxSteps, double scaleI, Noise nz) {
        double[] g = nz.of(f.g(w), f.gMag(w));
        double last = nz.of(f.f(w), f.fMag(w, 0, g));
        int k = 0;
        int evaluated = 0;
        double c = 0;
        double accepted = 0;
        while (k < maxSteps) {
            c += 1 + scaleI * Math.sqrt(k);
            double t = -lr * c;
            double loss = nz.of(f.f(nz.point(w, t, g)), f.fMag(w, t, g));
            evaluated++;
            if (!(loss < last)) {
                break;
            }
            last = loss;
            accepted = t;
            k++;
        }
        double[] wn = k > 0 ? nz.point(w, accepted, g) : w.clone();
        return new Outcome(k, evaluated, wn, accepted);
    }

    /**
     * Backtracking: gradient at w, candidates t_j = lr shrink^j (shrink^j by repeated products),
     * the first with f(w - t g) <= f(w) - c1 t g.g accepted. The decision is j (-1: none).
     */
    static Outcome backtracking(HostObjective f, double[] w, double lr, double c1, double shrink, int maxEvals,
                                Noise nz) {
        double[] g = nz.of(f.g(w), f.gMag(w));
        double l0 = nz.of(f.f(w), f.fMag(w, 0, g));
        double gg = nz.dot(g, g);
        double factor = 1;
        for (int j = 0; j < maxEvals; j++) {
            double t = lr * factor;
            double loss = nz.of(f.f(nz.point(w, -t, g)), f.fMag(w, -t, g));
            if (loss <= l0 - c1 * t * gg) {
                return new Outcome(j, j + 1, nz.point(w, -t, g), t);
            }
            factor *= shrink;
        }
        return new Outcome(-1, maxEvals, w.clone(), 0);
    }

    /**
     * KeepVaulting, both variants: phi(t) = f(w - t g); t_1 = lr; then the parabola's minimum
     * (parabola: through phi(0), phi'(0) = -g.g, phi(t_1) first, then through the last three
     * accepted points, solved here as a 3 x 3 Vandermonde system by Cramer's rule; a non-positive
     * leading coefficient or a minimum at t <= 0 doubles t instead) or the post's lines (post). The
     * decision is the number accepted.
     */
    static Outcome keepVaulting(HostObjective f, double[] w, double lr, int maxSteps, boolean parabola, Noise nz) {
        double[] g = nz.of(f.g(w), f.gMag(w));
        double l0 = nz.of(f.f(w), f.fMag(w, 0, g));
        double gg = parabola ? nz.dot(g, g) : Double.NaN;
        double[] ts = new double[maxSteps + 1];
        double[] ls = new double[maxSteps + 1];
        ls[0] = l0;
        double t = lr;
        int k = 0;
        int evaluated = 0;
        while (true) {
            double loss = nz.of(f.f(nz.point(w, -t, g)), f.fMag(w, -t, g));
            evaluated++;
            if (!(loss < ls[k])) {
                break;
            }
            k++;
            ts[k] = t;
            ls[k] = loss;
            if (k == maxSteps) {
                break;
            }
            double next;
            if (parabola) {
                double vertex;
                if (k == 1) {
                    // q(t) = l0 - gg t + a t^2 through (t1, l1)
                    double a = (ls[1] - l0 + gg * ts[1]) / (ts[1] * ts[1]);
                    vertex = a > 0 ? gg / (2 * a) : Double.NaN;
                } else {
                    double[] abc = fit(ts[k - 2], ls[k - 2], ts[k - 1], ls[k - 1], ts[k], ls[k]);
                    vertex = abc[0] > 0 ? -abc[1] / (2 * abc[0]) : Double.NaN;
                }
                next = vertex > 0 && Double.isFinite(vertex) ? vertex : 2 * ts[k];
            } else {
                // the post: first_order_grad1 = (losses[-1] - losses[-2]) / lr
                //           second_order_grad = (losses[-1] - first_order_grad1) / lr
                //           stepsize = -second_order_grad / first_order_grad1 * lr; move lr * stepsize
                double g1 = (ls[k] - ls[k - 1]) / lr;
                double g2 = (ls[k] - g1) / lr;
                double stepsize = -g2 / g1 * lr;
                next = ts[k] + lr * stepsize;
            }
            if (!Double.isFinite(next)) {
                break;
            }
            t = next;
        }
        double[] wn = k > 0 ? nz.point(w, -ts[k], g) : w.clone();
        return new Outcome(k, evaluated, wn, ts[k]);
    }

    /** a, b, c of a t^2 + b t + c through three points (Cramer's rule on the Vandermonde system). */
    static double[] fit(double t1, double f1, double t2, double f2, double t3, double f3) {
        double det = t1 * t1 * (t2 - t3) - t1 * (t2 * t2 - t3 * t3) + (t2 * t2 * t3 - t3 * t3 * t2);
        double a = (f1 * (t2 - t3) - t1 * (f2 - f3) + (f2 * t3 - f3 * t2)) / det;
        double b = (t1 * t1 * (f2 - f3) - f1 * (t2 * t2 - t3 * t3) + (t2 * t2 * f3 - t3 * t3 * f2)) / det;
        double c = (t1 * t1 * (t2 * f3 - t3 * f2) - t1 * (t2 * t2 * f3 - t3 * t3 * f2) + f1 * (t2 * t2 * t3 - t3 * t3 * t2)) / det;
        return new double[]{a, b, c};
    }
}
