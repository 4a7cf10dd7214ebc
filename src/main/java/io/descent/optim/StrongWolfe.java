package io.descent.optim;

/**
 * A line search for the strong Wolfe conditions (Nocedal and Wright, Algorithms 3.5 and 3.6) in the
 * form PyTorch's {@code torch/optim/lbfgs.py} ({@code _strong_wolfe}, from Mark Schmidt's minFunc)
 * uses: bracketing with cubic extrapolation, then zoom with safeguarded cubic interpolation. Pure
 * host logic over phi(t) = f(w + t d) and phi'(t) = g(w + t d) . d; the caller evaluates points (on
 * the device) and keeps their gradients, which the search refers to by {@link Point#handle}.
 *
 * <p>Conditions, with phi(0) = f0 and phi'(0) = gtd0 &lt; 0: sufficient decrease phi(t) &lt;= f0 +
 * c1 t gtd0, curvature |phi'(t)| &lt;= -c2 gtd0. Differences from PyTorch: the zoom stops when the
 * bracket is shorter than {@code tolChange} in the 2-norm of t d (PyTorch: the max-norm); a NaN from
 * the cubic formula falls back to the bracket's midpoint (PyTorch would propagate it); step sizes
 * are rounded to the device precision before evaluation by the caller's {@link Phi}.
 */
final class StrongWolfe {
    /** A point of the search: step t, phi(t), phi'(t) and the caller's handle of its gradient. */
    record Point(double t, double f, double gtd, int handle) {
    }

    /** Evaluates phi at t; {@code busy} is the bitmask of handles the search still refers to. */
    interface Phi {
        Point at(double t, int busy);
    }

    /** The accepted point (t = 0 and handle -1: the origin, no move), and evaluations made. */
    record Result(Point point, int evaluations, boolean wolfe) {
    }

    private StrongWolfe() {
    }

    /**
     * @param origin   phi(0), phi'(0) (handle -1)
     * @param t        first trial step
     * @param dNorm    2-norm of the direction
     * @param maxEvals evaluations at most, >= 1
     */
    static Result search(Phi phi, Point origin, double t, double dNorm, double c1, double c2, int maxEvals,
                         double tolChange) {
        final double f0 = origin.f();
        final double gtd0 = origin.gtd();
        final int maxLs = maxEvals - 1;
        Point prev = origin;
        Point cur = phi.at(t, mask(prev));
        int evals = 1;
        int lsIter = 0;
        boolean done = false;
        Point[] b = null;
        while (lsIter < maxLs) {
            if (cur.f() > f0 + c1 * cur.t() * gtd0 || (lsIter > 1 && cur.f() >= prev.f())) {
                b = new Point[]{prev, cur};
                break;
            }
            if (Math.abs(cur.gtd()) <= -c2 * gtd0) {
                b = new Point[]{cur};
                done = true;
                break;
            }
            if (cur.gtd() >= 0) {
                b = new Point[]{prev, cur};
                break;
            }
            double minStep = cur.t() + 0.01 * (cur.t() - prev.t());
            double maxStep = cur.t() * 10;
            double next = cubic(prev.t(), prev.f(), prev.gtd(), cur.t(), cur.f(), cur.gtd(), minStep, maxStep);
            prev = cur;
            cur = phi.at(next, mask(prev));
            evals++;
            lsIter++;
        }
        if (b == null) { // out of evaluations while extrapolating
            b = new Point[]{origin, cur};
        }
        if (b.length == 1) {
            return new Result(b[0], evals, true);
        }
        boolean insufficient = false;
        int low = b[0].f() <= b[1].f() ? 0 : 1;
        int high = 1 - low;
        while (!done && lsIter < maxLs) {
            if (Math.abs(b[1].t() - b[0].t()) * dNorm < tolChange) {
                break;
            }
            double lo = Math.min(b[0].t(), b[1].t());
            double hi = Math.max(b[0].t(), b[1].t());
            double next = cubic(b[0].t(), b[0].f(), b[0].gtd(), b[1].t(), b[1].f(), b[1].gtd(), lo, hi);
            double eps = 0.1 * (hi - lo);
            if (Math.min(hi - next, next - lo) < eps) {
                if (insufficient || next >= hi || next <= lo) {
                    next = Math.abs(next - hi) < Math.abs(next - lo) ? hi - eps : lo + eps;
                    insufficient = false;
                } else {
                    insufficient = true;
                }
            } else {
                insufficient = false;
            }
            cur = phi.at(next, mask(b[0]) | mask(b[1]));
            evals++;
            lsIter++;
            if (cur.f() > f0 + c1 * cur.t() * gtd0 || cur.f() >= b[low].f()) {
                b[high] = cur;
                low = b[0].f() <= b[1].f() ? 0 : 1;
                high = 1 - low;
            } else {
                if (Math.abs(cur.gtd()) <= -c2 * gtd0) {
                    done = true;
                } else if (cur.gtd() * (b[high].t() - b[low].t()) >= 0) {
                    b[high] = b[low];
                }
                b[low] = cur;
            }
        }
        return new Result(b[low], evals, done);
    }

    /**
     * Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to [lo, hi]; the
     * midpoint of [lo, hi] when the cubic has no minimiser or the formula gives NaN.
     */
    static double cubic(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2sq = d1 * d1 - g1 * g2;
        if (d2sq >= 0) {
            double d2 = Math.sqrt(d2sq);
            double minPos = x1 <= x2
                    ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            if (!Double.isNaN(minPos)) {
                return Math.min(Math.max(minPos, lo), hi);
            }
        }
        return (lo + hi) / 2;
    }

    private static int mask(Point p) {
        return p.handle() >= 0 ? 1 << p.handle() : 0;
    }
}
