package io.descent.optim;

/**
 * Plain-Java float64 references of one step of each search method, written from the methods'
 * descriptions (the class comments), not from the device code: the same decisions from the same
 * point, with the device's rounding optionally injected ({@link Noise}).
 */
final class SearchReference {
    private SearchReference() {
    }

    /** What a step decided, where it ended, and the loss it started from and ended at. */
    record Outcome(int decision, int evaluations, double[] w, double t, double l0, double l1) {
        /** Relative decrease of the loss. */
        double gain() {
            return (l0 - l1) / Math.abs(l0);
        }
    }

    /**
     * KeepStepping: gradient at w, candidates w - lr C_k g (C_k = sum_{i<k} (1 + scaleI sqrt i),
     * summed here in float64 from scratch), accepted while the loss strictly falls, at most maxSteps.
     * The decision is the number accepted.
     */
    static Outcome keepStepping(HostObjective f, double[] w, double lr, int maxSteps, double scaleI, Noise nz) {
        double[] g = nz.of(f.g(w), f.gMag(w));
        double l0 = nz.of(f.f(w), f.fMag(w, 0, g));
        double last = l0;
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
        return new Outcome(k, evaluated, wn, accepted, l0, last);
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
                return new Outcome(j, j + 1, nz.point(w, -t, g), t, l0, loss);
            }
            factor *= shrink;
        }
        return new Outcome(-1, maxEvals, w.clone(), 0, l0, l0);
    }

    /**
     * KeepVaulting, both variants: phi(t) = f(w - t g); t_1 = lr; then the parabola's minimum
     * (parabola: through phi(0), phi'(0) = -g.g and the newest accepted phi(t_k), its coefficients
     * solved for explicitly; a leading coefficient a with a t_k^2 not above sqrt(u) (|phi(0)| +
     * |phi(t_k)|), or a minimum at t <= 0,
     * doubles t instead, a vertex within 0.1% of t_k ends the step) or the post's lines (post). The
     * decision is the number accepted.
     */
    static Outcome keepVaulting(HostObjective f, double[] w, double lr, int maxSteps, boolean parabola, double deviceU,
                                Noise nz) {
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
                // q(t) = a t^2 + b t + c with q(0) = l0, q'(0) = -gg, q(t_k) = l_k: a 3 x 3 solve
                double[] abc = fitWithSlope(ls[0], -gg, ts[k], ls[k]);
                // trusted when a t_k^2 is above sqrt(u) (|phi(0)| + |phi(t_k)|), u the device's unit roundoff
                boolean measurable = abc[0] * ts[k] * ts[k] > Math.sqrt(deviceU) * (Math.abs(ls[0]) + Math.abs(ls[k]));
                double vertex = measurable ? -abc[1] / (2 * abc[0]) : Double.NaN;
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
            if (!Double.isFinite(next) || (parabola && Math.abs(next - ts[k]) <= 1e-3 * ts[k])) {
                break; // parabola: the vertex is (within 0.1%) where we are
            }
            t = next;
        }
        double[] wn = k > 0 ? nz.point(w, -ts[k], g) : w.clone();
        return new Outcome(k, evaluated, wn, ts[k], l0, ls[k]);
    }

    /**
     * a, b, c of q(t) = a t^2 + b t + c with q(0) = f0, q'(0) = s0, q(t1) = f1: c = f0, b = s0 and
     * a t1^2 = f1 - f0 - s0 t1.
     */
    static double[] fitWithSlope(double f0, double s0, double t1, double f1) {
        return new double[]{(f1 - f0 - s0 * t1) / (t1 * t1), s0, f0};
    }
}
