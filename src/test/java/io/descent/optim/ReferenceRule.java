package io.descent.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain-Java float64 references of the update rules, written from the rules in the optimizers'
 * Javadoc (and in the same order of operations as optim.cl, so that {@link Bounded}'s radius bounds
 * the device's float32 result). Hyper-parameters are taken from the optimizer under test; the
 * arithmetic is this class's own.
 *
 * <p>A step receives the parameters w, the state arrays by the optimizer's names, and the gradient g
 * (already clipped) evaluated at {@link #gradientPoint}; it updates w and the state in place.
 */
abstract class ReferenceRule {
    final FirstOrder optimizer;

    ReferenceRule(FirstOrder optimizer) {
        this.optimizer = optimizer;
    }

    /** State array names, as the optimizer's {@link FirstOrder#stateArrays()}. */
    abstract List<String> state();

    /** Initial state for parameters w (zeros; Nesterov's look-ahead starts at w). */
    Map<String, double[]> initialState(double[] w) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (String s : state()) m.put(s, new double[w.length]);
        return m;
    }

    /** Where the gradient of the step is evaluated. */
    double[] gradientPoint(double[] w, Map<String, double[]> state) {
        return w;
    }

    /**
     * One update, element by element.
     *
     * @param t      the problem's step (0-based; the schedule's argument)
     * @param update the update's number counting from 1 (Adam's bias correction)
     */
    abstract void step(Bounded.Arith a, Bounded[] w, Map<String, Bounded[]> s, Bounded[] g, long t, long update);

    static ReferenceRule of(FirstOrder o) {
        if (o instanceof Sgd sgd) {
            return switch (sgd.variant()) {
                case GD, SGD -> new Plain(sgd);
                case MOMENTUM -> new HeavyBall(sgd);
                case NESTEROV -> new Nesterov(sgd);
            };
        }
        if (o instanceof AdaGrad x) return new AdaGradRule(x);
        if (o instanceof RmsProp x) return new RmsPropRule(x);
        if (o instanceof AdaDelta x) return new AdaDeltaRule(x);
        if (o instanceof Adam x) return new AdamRule(x);
        throw new IllegalArgumentException("no reference for " + o);
    }

    /** w -= lr g */
    static final class Plain extends ReferenceRule {
        Plain(Sgd o) {
            super(o);
        }

        List<String> state() {
            return List.of();
        }

        void step(Bounded.Arith a, Bounded[] w, Map<String, Bounded[]> s, Bounded[] g, long t, long update) {
            Bounded lr = a.arg(optimizer.learningRate(t));
            for (int i = 0; i < w.length; i++) w[i] = a.sub(w[i], a.mul(lr, g[i]));
        }
    }

    /** v = g + tau v; w -= lr v */
    static final class HeavyBall extends ReferenceRule {
        HeavyBall(Sgd o) {
            super(o);
        }

        List<String> state() {
            return List.of("velocity");
        }

        void step(Bounded.Arith a, Bounded[] w, Map<String, Bounded[]> s, Bounded[] g, long t, long update) {
            Bounded lr = a.arg(optimizer.learningRate(t));
            Bounded tau = a.arg(((Sgd) optimizer).momentum());
            Bounded[] v = s.get("velocity");
            for (int i = 0; i < w.length; i++) {
                v[i] = a.add(g[i], a.mul(tau, v[i]));
                w[i] = a.sub(w[i], a.mul(lr, v[i]));
            }
        }
    }

    /** g at la = w - lr tau v; v = g + tau v; w -= lr v; next la = w - lr(t + 1) (tau v) */
    static final class Nesterov extends ReferenceRule {
        Nesterov(Sgd o) {
            super(o);
        }

        List<String> state() {
            return List.of("velocity", "lookahead");
        }

        @Override
        Map<String, double[]> initialState(double[] w) {
            Map<String, double[]> m = super.initialState(w);
            m.put("lookahead", w.clone());
            return m;
        }

        @Override
        double[] gradientPoint(double[] w, Map<String, double[]> state) {
            return state.get("lookahead");
        }

        void step(Bounded.Arith a, Bounded[] w, Map<String, Bounded[]> s, Bounded[] g, long t, long update) {
            Bounded lr = a.arg(optimizer.learningRate(t));
            Bounded lrNext = a.arg(optimizer.learningRate(t + 1));
            Bounded tau = a.arg(((Sgd) optimizer).momentum());
            Bounded[] v = s.get("velocity");
            Bounded[] la = s.get("lookahead");
            for (int i = 0; i < w.length; i++) {
                v[i] = a.add(g[i], a.mul(tau, v[i]));
                w[i] = a.sub(w[i], a.mul(lr, v[i]));
                la[i] = a.sub(w[i], a.mul(lrNext, a.mul(tau, v[i])));
            }
        }
    }

    /** s += g^2; w -= lr g / (sqrt(s) + eps) */
    static final class AdaGradRule extends ReferenceRule {
        AdaGradRule(AdaGrad o) {
            super(o);
        }

        List<String> state() {
            return List.of("sum_squares");
        }

        void step(Bounded.Arith a, Bounded[] w, Map<String, Bounded[]> st, Bounded[] g, long t, long update) {
            Bounded lr = a.arg(optimizer.learningRate(t));
            Bounded eps = a.arg(((AdaGrad) optimizer).eps());
            Bounded[] s = st.get("sum_squares");
            for (int i = 0; i < w.length; i++) {
                s[i] = a.add(s[i], a.mul(g[i], g[i]));
                w[i] = a.sub(w[i], a.mul(lr, a.div(g[i], a.add(a.sqrt(s[i]), eps))));
            }
        }
    }

    /** s = rho s + (1 - rho) g^2; w -= lr g / (sqrt(s) + eps) */
    static final class RmsPropRule extends ReferenceRule {
        RmsPropRule(RmsProp o) {
            super(o);
        }

        List<String> state() {
            return List.of("mean_squares");
        }

        void step(Bounded.Arith a, Bounded[] w, Map<String, Bounded[]> st, Bounded[] g, long t, long update) {
            RmsProp o = (RmsProp) optimizer;
            Bounded lr = a.arg(o.learningRate(t));
            Bounded rho = a.arg(o.rho());
            Bounded omr = a.arg(1 - o.rho());
            Bounded eps = a.arg(o.eps());
            Bounded[] s = st.get("mean_squares");
            for (int i = 0; i < w.length; i++) {
                s[i] = a.add(a.mul(rho, s[i]), a.mul(omr, a.mul(g[i], g[i])));
                w[i] = a.sub(w[i], a.mul(lr, a.div(g[i], a.add(a.sqrt(s[i]), eps))));
            }
        }
    }

    /** s = rho s + (1 - rho) g^2; delta = sqrt(d + eps) / sqrt(s + eps) g; d = rho d + (1 - rho) delta^2; w -= lr delta */
    static final class AdaDeltaRule extends ReferenceRule {
        AdaDeltaRule(AdaDelta o) {
            super(o);
        }

        List<String> state() {
            return List.of("mean_squares", "mean_steps");
        }

        void step(Bounded.Arith a, Bounded[] w, Map<String, Bounded[]> st, Bounded[] g, long t, long update) {
            AdaDelta o = (AdaDelta) optimizer;
            Bounded lr = a.arg(o.learningRate(t));
            Bounded rho = a.arg(o.rho());
            Bounded omr = a.arg(1 - o.rho());
            Bounded eps = a.arg(o.eps());
            Bounded[] s = st.get("mean_squares");
            Bounded[] d = st.get("mean_steps");
            for (int i = 0; i < w.length; i++) {
                s[i] = a.add(a.mul(rho, s[i]), a.mul(omr, a.mul(g[i], g[i])));
                Bounded delta = a.mul(a.div(a.sqrt(a.add(d[i], eps)), a.sqrt(a.add(s[i], eps))), g[i]);
                d[i] = a.add(a.mul(rho, d[i]), a.mul(omr, a.mul(delta, delta)));
                w[i] = a.sub(w[i], a.mul(lr, delta));
            }
        }
    }

    /**
     * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= lr wd w + lr (m / bc1) / (sqrt(v / bc2) + eps),
     * evaluated as w - (decay w + step m / (sqrt(v) rs + eps)) as the kernel does.
     */
    static final class AdamRule extends ReferenceRule {
        AdamRule(Adam o) {
            super(o);
        }

        List<String> state() {
            return List.of("m", "v");
        }

        void step(Bounded.Arith a, Bounded[] w, Map<String, Bounded[]> st, Bounded[] g, long t, long update) {
            Adam o = (Adam) optimizer;
            double lr = o.learningRate(t);
            // The paper's bias corrections, computed here independently of Adam.biasCorrections
            double bc1 = 1 - Math.pow(o.beta1(), update);
            double bc2 = 1 - Math.pow(o.beta2(), update);
            Bounded step = a.arg(lr / bc1);
            Bounded rs = a.arg(1 / Math.sqrt(bc2));
            Bounded decay = a.arg(lr * o.weightDecay());
            Bounded b1 = a.arg(o.beta1());
            Bounded c1 = a.arg(1 - o.beta1());
            Bounded b2 = a.arg(o.beta2());
            Bounded c2 = a.arg(1 - o.beta2());
            Bounded eps = a.arg(o.eps());
            Bounded[] m = st.get("m");
            Bounded[] v = st.get("v");
            for (int i = 0; i < w.length; i++) {
                m[i] = a.add(a.mul(b1, m[i]), a.mul(c1, g[i]));
                v[i] = a.add(a.mul(b2, v[i]), a.mul(c2, a.mul(g[i], g[i])));
                Bounded u = a.div(a.mul(step, m[i]), a.add(a.mul(a.sqrt(v[i]), rs), eps));
                w[i] = a.sub(w[i], a.add(a.mul(decay, w[i]), u));
            }
        }
    }
}
