package io.descent.optim;

/**
 * Plain-Java float64 references of one step of each search method, written from the methods'
 * descriptions (the class comments), not from the device code: the same decisions from the same
 * point, with the device's rounding optionally injected ({@link Noise}).
 */
final class SearchReference {
    private SearchReference() {
    }

    /**
     * What a step decided, where it ended, the loss it started from and ended at, and the
     * magnitude M of the starting loss (its device rounding is within {@link Noise#K} u M).
     */
    record Outcome(int decision, int evaluations, double[] w, double t, double l0, double l1, double l0Mag) {
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
        double mag = f.fMag(w, 0, g);
        double l0 = nz.of(f.f(w), mag);
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
        return new Outcome(k, evaluated, wn, accepted, l0, last, mag);
    }

    /**
     * Backtracking: gradient at w, candidates t_j = lr shrink^j (shrink^j by repeated products),
     * the first with f(w - t g) <= f(w) - c1 t g.g accepted. The decision is j (-1: none).
     */
    static Outcome backtracking(HostObjective f, double[] w, double lr, double c1, double shrink, int maxEvals,
                                Noise nz) {
        double[] g = nz.of(f.g(w), f.gMag(w));
        double mag = f.fMag(w, 0, g);
        double l0 = nz.of(f.f(w), mag);
        double gg = nz.dot(g, g);
        double factor = 1;
        for (int j = 0; j < maxEvals; j++) {
            double t = lr * factor;
            double loss = nz.of(f.f(nz.point(w, -t, g)), f.fMag(w, -t, g));
            if (loss <= l0 - c1 * t * gg) {
                return new Outcome(j, j + 1, nz.point(w, -t, g), t, l0, loss, mag);
            }
            factor *= shrink;
        }
        return new Outcome(-1, maxEvals, w.clone(), 0, l0, l0, mag);
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
        double mag = f.fMag(w, 0, g);
        double l0 = nz.of(f.f(w), mag);
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
        return new Outcome(k, evaluated, wn, ts[k], l0, ls[k], mag);
    }

    /**
     * a, b, c of q(t) = a t^2 + b t + c with q(0) = f0, q'(0) = s0, q(t1) = f1: c = f0, b = s0 and
     * a t1^2 = f1 - f0 - s0 t1.
     */
    static double[] fitWithSlope(double f0, double s0, double t1, double f1) {
        return new double[]{(f1 - f0 - s0 * t1) / (t1 * t1), s0, f0};
    }

    /**
     * L-BFGS from w with the given history (s_i, y_i, oldest first): g and f at w, the two-loop
     * recursion (Nocedal and Wright, Algorithm 7.4) with gamma = s.y / y.y of the newest pair, a
     * descent check that drops the history, the first trial lr min(1, 1/||d||) without history and
     * lr with, then a strong-Wolfe search ({@link #wolfe}) or Armijo backtracking on t0 shrink^j
     * (then f and g at the accepted point); the pair (t d, g_new - g) is stored when s.y > 1e-10.
     * The decision is 100 (history dropped) + 10 x evaluations + 1 (pair stored).
     */
    static Outcome lbfgs(HostObjective f, double[] w, double[][] hs, double[][] hy, double lr, boolean wolfe, double c1,
                         double c2, int maxEvals, double shrink, Noise nz) {
        int n = w.length;
        double[] g = nz.of(f.g(w), f.gMag(w));
        double mag = f.fMag(w, 0, g);
        double l0 = nz.of(f.f(w), mag);
        int h = hs.length;
        double[] d = twoLoop(g, hs, hy, nz);
        double gd = nz.dot(g, d);
        double dd = nz.dot(d, d);
        int decision = 0;
        if (!(gd < 0) && h > 0) {
            decision += 100;
            h = 0;
            d = twoLoop(g, new double[0][], new double[0][], nz);
            gd = nz.dot(g, d);
            dd = nz.dot(d, d);
        }
        if (!(gd < 0)) {
            return new Outcome(decision, 0, w.clone(), 0, l0, l0, mag);
        }
        double t0 = h == 0 ? lr * Math.min(1, 1 / Math.sqrt(dd)) : lr;
        double t;
        double[] gNew;
        double lNew;
        int evals;
        if (wolfe) {
            double[][] found = new double[1][];
            double[] r = wolfe(gk -> found[0] = gk, l0, gd, t0, Math.sqrt(dd), c1, c2, maxEvals, f, w, d, nz);
            t = r[0];
            lNew = r[1];
            evals = (int) r[2];
            gNew = found[0];
        } else {
            t = 0;
            lNew = l0;
            evals = maxEvals;
            double factor = 1;
            for (int j = 0; j < maxEvals; j++) {
                double tj = t0 * factor;
                double loss = nz.of(f.f(nz.point(w, tj, d)), f.fMag(w, tj, d));
                if (loss <= l0 + c1 * tj * gd) {
                    t = tj;
                    lNew = loss;
                    evals = j + 1;
                    break;
                }
                factor *= shrink;
            }
            double[] p = nz.point(w, t, d);
            gNew = t > 0 ? nz.of(f.g(p), f.gMag(p)) : null;
        }
        decision += 10 * evals;
        if (!(t > 0)) {
            return new Outcome(decision, evals, w.clone(), 0, l0, l0, mag);
        }
        double[] sNew = new double[n];
        double[] yNew = new double[n];
        for (int i = 0; i < n; i++) {
            sNew[i] = t * d[i];
            yNew[i] = gNew[i] - g[i];
        }
        if (nz.dot(sNew, yNew) > 1e-10) {
            decision += 1;
        }
        return new Outcome(decision, evals, nz.point(w, t, d), t, l0, lNew, mag);
    }

    /** d = -H g by the two-loop recursion over (s_i, y_i), oldest first. */
    static double[] twoLoop(double[] g, double[][] hs, double[][] hy, Noise nz) {
        int h = hs.length;
        double[] q = g.clone();
        double[] alpha = new double[h];
        double[] rho = new double[h];
        for (int i = 0; i < h; i++) {
            rho[i] = 1 / nz.dot(hs[i], hy[i]);
        }
        for (int i = h - 1; i >= 0; i--) {
            alpha[i] = rho[i] * nz.dot(hs[i], q);
            q = nz.point(q, -alpha[i], hy[i]);
        }
        if (h > 0) {
            double gamma = nz.dot(hs[h - 1], hy[h - 1]) / nz.dot(hy[h - 1], hy[h - 1]);
            q = nz.point(new double[q.length], gamma, q);
        }
        for (int i = 0; i < h; i++) {
            double beta = rho[i] * nz.dot(hy[i], q);
            q = nz.point(q, alpha[i] - beta, hs[i]);
        }
        for (int i = 0; i < q.length; i++) {
            q[i] = -q[i];
        }
        return q;
    }

    /** Receives the gradient of the accepted point (null: the origin). */
    interface Keep {
        void at(double[] g);
    }

    /**
     * Strong-Wolfe line search written from Nocedal and Wright, Algorithms 3.5 (bracketing) and 3.6
     * (zoom), with PyTorch's choices (torch/optim/lbfgs.py): cubic interpolation of the two latest
     * points, extrapolation clamped to [t + 0.01 (t - t_prev), 10 t], interpolation in zoom clamped to
     * the bracket and pushed 10% inside it when it keeps landing near an end, the zoom stopped when
     * the bracket times ||d|| is below 1e-9, and at most maxEvals evaluations, each phi(t) =
     * f(w + t d) and phi'(t) = g(w + t d) . d. Returns {t, phi(t), evaluations} and hands the
     * accepted point's gradient to keep.
     */
    static double[] wolfe(Keep keep, double f0, double gtd0, double t, double dNorm, double c1, double c2,
                          int maxEvals, HostObjective f, double[] w, double[] d, Noise nz) {
        // each trial: {t, f, gtd} and its gradient
        java.util.List<double[]> pts = new java.util.ArrayList<>();
        java.util.List<double[]> grads = new java.util.ArrayList<>();
        java.util.function.DoubleFunction<Integer> eval = x -> {
            double[] p = nz.point(w, x, d);
            double[] gp = nz.of(f.g(p), f.gMag(p));
            pts.add(new double[]{x, nz.of(f.f(p), f.fMag(w, x, d)), nz.dot(gp, d)});
            grads.add(gp);
            return pts.size() - 1;
        };
        double[] origin = {0, f0, gtd0};
        int evals = 1;
        int cur = eval.apply(t);
        double[] prev = origin;
        int prevIndex = -1;
        int[] bracket = null; // indices into pts, -1 = origin
        boolean done = false;
        int iter = 0;
        while (iter < maxEvals - 1) {
            double[] c = pts.get(cur);
            if (c[1] > f0 + c1 * c[0] * gtd0 || (iter > 1 && c[1] >= prev[1])) {
                bracket = new int[]{prevIndex, cur};
                break;
            }
            if (Math.abs(c[2]) <= -c2 * gtd0) {
                bracket = new int[]{cur};
                done = true;
                break;
            }
            if (c[2] >= 0) {
                bracket = new int[]{prevIndex, cur};
                break;
            }
            double next = cubicMin(prev[0], prev[1], prev[2], c[0], c[1], c[2],
                    c[0] + 0.01 * (c[0] - prev[0]), 10 * c[0]);
            prev = c;
            prevIndex = cur;
            cur = eval.apply(next);
            evals++;
            iter++;
        }
        if (bracket == null) {
            bracket = new int[]{-1, cur};
        }
        if (bracket.length == 1) {
            double[] a = pts.get(bracket[0]);
            keep.at(grads.get(bracket[0]));
            return new double[]{a[0], a[1], evals};
        }
        java.util.function.IntFunction<double[]> at = i -> i < 0 ? origin : pts.get(i);
        int lo = at.apply(bracket[0])[1] <= at.apply(bracket[1])[1] ? 0 : 1;
        boolean insufficient = false;
        while (!done && iter < maxEvals - 1) {
            double[] a = at.apply(bracket[0]);
            double[] b = at.apply(bracket[1]);
            if (Math.abs(b[0] - a[0]) * dNorm < 1e-9) {
                break;
            }
            double left = Math.min(a[0], b[0]);
            double right = Math.max(a[0], b[0]);
            double next = cubicMin(a[0], a[1], a[2], b[0], b[1], b[2], left, right);
            double eps = 0.1 * (right - left);
            if (Math.min(right - next, next - left) < eps) {
                if (insufficient || next >= right || next <= left) {
                    next = Math.abs(next - right) < Math.abs(next - left) ? right - eps : left + eps;
                    insufficient = false;
                } else {
                    insufficient = true;
                }
            } else {
                insufficient = false;
            }
            int k = eval.apply(next);
            evals++;
            iter++;
            double[] c = pts.get(k);
            int hi = 1 - lo;
            if (c[1] > f0 + c1 * c[0] * gtd0 || c[1] >= at.apply(bracket[lo])[1]) {
                bracket[hi] = k;
                lo = at.apply(bracket[0])[1] <= at.apply(bracket[1])[1] ? 0 : 1;
            } else {
                if (Math.abs(c[2]) <= -c2 * gtd0) {
                    done = true;
                } else if (c[2] * (at.apply(bracket[hi])[0] - at.apply(bracket[lo])[0]) >= 0) {
                    bracket[hi] = bracket[lo];
                }
                bracket[lo] = k;
            }
        }
        double[] a = at.apply(bracket[lo]);
        keep.at(bracket[lo] < 0 ? null : grads.get(bracket[lo]));
        return new double[]{a[0], a[1], evals};
    }

    /**
     * The minimiser of the cubic Hermite interpolant of (x1, f1, g1), (x2, f2, g2) (Nocedal and
     * Wright (3.59)), clamped to [lo, hi]; the midpoint when it has none.
     */
    static double cubicMin(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double disc = d1 * d1 - g1 * g2;
        if (!(disc >= 0)) {
            return (lo + hi) / 2;
        }
        double d2 = Math.signum(x2 - x1) * Math.sqrt(disc);
        double m = x2 - (x2 - x1) * (g2 + d2 - d1) / (g2 - g1 + 2 * d2);
        return Double.isNaN(m) ? (lo + hi) / 2 : Math.min(Math.max(m, lo), hi);
    }
}
