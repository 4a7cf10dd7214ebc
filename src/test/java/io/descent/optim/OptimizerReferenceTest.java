package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every optimizer, 50 steps on each objective, against {@link ReferenceRule} (plain Java, float64,
 * its own gradients from {@link Fixture}), checked after every step: the parameters and every state
 * array are read back from the device each step.
 *
 * <ul>
 *   <li><b>float64</b>: the reference runs free, from the same start, never looking at the device
 *       again; after each step every array must agree in the relative infinity norm,
 *       ||device - reference|| <= 1e-12 ||reference||.</li>
 *   <li><b>float32</b>: a free-running float64 reference drifts from a float32 run by amounts no
 *       simple bound captures over 50 steps of a nonlinear rule, so each step is checked locally:
 *       the reference starts from the device's parameters and state before the step (exact
 *       float32 values), evaluates its float64 gradient at the same point, and applies the rule in
 *       {@link Bounded} arithmetic. The derived bound per element is the gradient's bound (the
 *       objective's documented error analysis) propagated through the rule operation by operation,
 *       plus the rounding of each float32 operation (u = 2^-24 for + - *, 2.5 ulp for /, 3 ulp for
 *       sqrt as OpenCL allows) and of each scalar argument. Every element of the parameters and of
 *       every state array must lie within it.</li>
 * </ul>
 */
class OptimizerReferenceTest {
    static final int STEPS = 50;
    static final double FP64_RELATIVE = 1e-12;

    record Case(String objective, String optimizer, String schedule) {
        @Override
        public String toString() {
            return objective + " " + optimizer + (schedule == null ? "" : " " + schedule);
        }
    }

    static final Case[] CASES = {
            new Case("quadratic2d", "gd:lr=0.1", null),
            new Case("quadratic2d", "gd:lr=0.1,clip=5", null),
            new Case("quadratic2d", "momentum:lr=0.05,momentum=0.5", null),
            new Case("quadratic2d", "momentum:lr=0.05,momentum=0.5", "exponential:gamma=0.97"),
            new Case("quadratic2d", "nesterov:lr=0.05,momentum=0.9", null),
            new Case("quadratic2d", "adagrad:lr=0.5", null),
            new Case("quadratic2d", "rmsprop:lr=0.1,rho=0.9", null),
            new Case("quadratic2d", "adadelta", null),
            new Case("quadratic2d", "adam:lr=0.1", null),
            new Case("quadratic2d", "adam:lr=0.1,clip=1", "cosine:steps=50,min=0.01"),
            new Case("quadratic2d", "adamw:lr=0.1,weight_decay=0.1", null),
            new Case("line", "gd:lr=0.01", null),
            new Case("line", "gd:lr=0.02,clip=10", null),
            new Case("line", "sgd:lr=0.01,batch=16,seed=7", null),
            new Case("line", "momentum:lr=0.01,momentum=0.5", null),
            new Case("line", "nesterov:lr=0.01,momentum=0.5", null),
            new Case("line", "nesterov:lr=0.01,momentum=0.5,batch=25,seed=3", "step:every=10,factor=0.5"),
            new Case("line", "adagrad:lr=0.5", null),
            new Case("line", "rmsprop:lr=0.1,rho=0.99", null),
            new Case("line", "adadelta", null),
            new Case("line", "adam:lr=0.1,beta1=0.9,beta2=0.99", null),
            new Case("line", "adam:lr=0.1,beta2=0.99,batch=10,seed=1", "inverse-time:decay=0.1"),
            new Case("line", "adamw:lr=0.1,beta2=0.99,weight_decay=0.01", null),
            new Case("mlp", "gd:lr=0.1", null),
            new Case("mlp", "gd:lr=0.1,clip=1", null),
            new Case("mlp", "sgd:lr=0.05,batch=16,seed=2", null),
            new Case("mlp", "momentum:lr=0.05,momentum=0.9", null),
            new Case("mlp", "nesterov:lr=0.05,momentum=0.9", "cosine:steps=50,min=0.005"),
            new Case("mlp", "nesterov:lr=0.05,momentum=0.9,batch=20,seed=4", null),
            new Case("mlp", "adagrad:lr=0.1", null),
            new Case("mlp", "rmsprop:lr=0.01", null),
            new Case("mlp", "adadelta", null),
            new Case("mlp", "adam:lr=0.01", null),
            new Case("mlp", "adam:lr=0.01,batch=16,seed=9,clip=2", "exponential:gamma=0.98"),
            new Case("mlp", "adamw:lr=0.01,weight_decay=0.1", null),
    };

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (Case c : CASES) {
                b.add(Arguments.of(p, c));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesTheFloat64ReferenceStepByStep(Precision prec, Case c) {
        ClRuntime rt = TestDevices.runtime();
        FirstOrder opt = (FirstOrder) Optimizers.parse(c.optimizer());
        if (c.schedule() != null) opt.withSchedule(Schedule.parse(c.schedule()));
        try (Fixture f = Fixture.create(c.objective(), rt, prec);
             Problem problem = new Problem(f.objective, f.start());
             opt) {
            opt.init(problem);
            run(rt, f, problem, opt, STEPS, c.toString());
        }
    }

    /**
     * The Adam reference (like the kernel) evaluates the update as PyTorch does, w - (lr wd w + (lr /
     * bc1) m / (sqrt(v) / sqrt(bc2) + eps)); here that form is checked against the paper's literal
     * w - lr (wd w + (m / bc1) / (sqrt(v / bc2) + eps)) in float64 over random states: each side is at
     * most 12 correctly rounded operations (sqrt halving its input's relative error), each adding at
     * most u of the magnitude |w| + lr (|wd w| + |adam term|), so they agree within 24 u of it.
     */
    @Test
    void adamsEvaluationOrderIsThePapersRule() {
        java.util.Random rnd = new java.util.Random(3);
        double u = 0x1p-53;
        for (int i = 0; i < 100_000; i++) {
            double lr = Math.pow(10, -4 + 4 * rnd.nextDouble());
            double wd = rnd.nextBoolean() ? 0 : rnd.nextDouble() * 0.1;
            double b1 = rnd.nextDouble() * 0.99;
            double b2 = 0.9 + rnd.nextDouble() * 0.0999;
            int t = 1 + rnd.nextInt(1000);
            double bc1 = 1 - Math.pow(b1, t);
            double bc2 = 1 - Math.pow(b2, t);
            double w = rnd.nextGaussian();
            double m = rnd.nextGaussian();
            double v = Math.pow(10, -12 + 12 * rnd.nextDouble());
            double eps = 1e-8;
            double adam = (m / bc1) / (Math.sqrt(v / bc2) + eps);
            double literal = w - lr * (wd * w + adam);
            double pytorch = w - (lr * wd * w + (lr / bc1) * m / (Math.sqrt(v) * (1 / Math.sqrt(bc2)) + eps));
            double scale = Math.abs(w) + lr * (Math.abs(wd * w) + Math.abs(adam));
            assertTrue(Math.abs(literal - pytorch) <= 24 * u * scale, "case " + i);
        }
    }

    /** Steps {@code opt} (already initialised on {@code problem}) and checks each step; see the class comment. */
    static void run(ClRuntime rt, Fixture f, Problem problem, FirstOrder opt, int steps, String what) {
        Precision prec = f.precision;
        ReferenceRule rule = ReferenceRule.of(opt);
        worst[0] = 0;
        worst[1] = 0;
        clipped[0] = 0;
        double[] w = problem.readParams();
        Map<String, double[]> state = read(opt);
        assertArrayEquals(rule.state().toArray(), state.keySet().toArray(), what + ": state arrays");
        Map<String, double[]> init = rule.initialState(w);
        for (String k : init.keySet()) {
            assertArrayEquals(init.get(k), state.get(k), 0.0, what + ": initial " + k);
        }
        double[] rw = w.clone();
        Map<String, double[]> rs = copy(init);
        Bounded.Arith a = Bounded.Arith.of(prec);
        int rows = opt.batch() > 0 ? ((io.descent.objective.Batchable) f.objective).rows() : 0;
        for (int k = 0; k < steps; k++) {
            long t = problem.step();
            long update = opt.updates() + 1;
            int[] batchRows = opt.batch() > 0 ? batchRows(opt.seed(), opt.batch(), rows, k) : null;
            problem.beginStep();
            opt.step(problem);
            problem.advance();
            double[] dw = problem.readParams();
            Map<String, double[]> ds = read(opt);
            String at = what + " " + prec.label() + " step " + (k + 1);
            if (prec == Precision.FP64) {
                Result r = referenceStep(a, rule, f, opt, rw, rs, t, update, batchRows);
                rw = Bounded.values(r.w);
                rs = values(r.state);
                assertRelative(rw, dw, at + " parameters");
                for (String s : rs.keySet()) assertRelative(rs.get(s), ds.get(s), at + " " + s);
            } else {
                Result r = referenceStep(a, rule, f, opt, w, state, t, update, batchRows);
                assertWithin(r.w, dw, at + " parameters");
                for (String s : r.state.keySet()) assertWithin(r.state.get(s), ds.get(s), at + " " + s);
            }
            w = dw;
            state = ds;
        }
        System.out.printf("%s %s: worst %s%s%n", what, prec.label(), prec == Precision.FP64
                ? String.format("relative error %.2e (limit %.0e)", worst[0], FP64_RELATIVE)
                : String.format("error / bound %.3f, bound / |value| up to %.2e", worst[0], worst[1]),
                opt.clip() > 0 ? String.format("; clipped in %d of %d steps", clipped[0], steps) : "");
        if (opt.clip() > 0) {
            assertTrue(clipped[0] > 0, what + ": the clipping threshold was never reached, so it was not tested");
        }
    }

    /** Steps whose gradient the reference clipped, in the current run. */
    private static final int[] clipped = new int[1];

    /** Worst relative error (fp64) or error / bound (fp32) and bound / |value| of the current run, for the log. */
    private static final double[] worst = new double[2];

    record Result(Bounded[] w, Map<String, Bounded[]> state) {
    }

    /** One reference step from (w, state), taken as exact values. */
    static Result referenceStep(Bounded.Arith a, ReferenceRule rule, Fixture f, FirstOrder opt, double[] w,
                                Map<String, double[]> state, long t, long update, int[] rows) {
        double[] point = rule.gradientPoint(w, state);
        double[] gv = f.gradient(point, rows);
        double[] gr = f.gradientBound(point, rows);
        Bounded[] g = new Bounded[gv.length];
        for (int i = 0; i < g.length; i++) g[i] = new Bounded(gv[i], gr[i]);
        if (opt.clip() > 0) {
            Bounded s = clipScale(a, g, opt.clip(), f.precision);
            if (s.v() < 1) clipped[0]++;
            for (int i = 0; i < g.length; i++) g[i] = a.mul(g[i], s);
        }
        Bounded[] bw = Bounded.exact(w);
        Map<String, Bounded[]> bs = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : state.entrySet()) bs.put(e.getKey(), Bounded.exact(e.getValue()));
        rule.step(a, bw, bs, g, t, update);
        return new Result(bw, bs);
    }

    /**
     * clip / ||g|| when ||g|| > clip, else 1 (as clip_scale in optim.cl): ||g||^2 summed in float64
     * (the device accumulates in float64 where it has it; otherwise in the data's precision), any
     * order: at most n roundings per term; clip arrives rounded to the data's precision, the
     * quotient is formed in the accumulator's precision and rounded once to the data's.
     */
    static Bounded clipScale(Bounded.Arith a, Bounded[] g, double clip, Precision prec) {
        Precision accP = TestDevices.runtime().device().fp64() ? Precision.FP64 : prec;
        Bounded.Arith acc = Bounded.Arith.of(accP);
        double n2 = 0;
        double abs2 = 0;
        double prop = 0;
        for (Bounded x : g) {
            n2 += x.v() * x.v();
            abs2 += x.v() * x.v();
            prop += 2 * Math.abs(x.v()) * x.r() + x.r() * x.r();
        }
        double r2 = prop + g.length * (acc.u() + Bounded.U64) * (abs2 + prop);
        double c = prec.round(clip);
        Bounded s = acc.div(acc.exact(c), acc.sqrt(new Bounded(n2, r2)));
        s = new Bounded(s.v(), s.r() + a.u() * (Math.abs(s.v()) + s.r()));
        boolean above = n2 - r2 > c * c;
        boolean below = n2 + r2 <= c * c;
        if (above) return s;
        if (below) return new Bounded(1, 0);
        double v = n2 > c * c ? s.v() : 1;
        return new Bounded(v, Math.abs(s.v() - 1) + s.r());
    }

    /** Rows of mini-batch k (0-based, counted from init) as the class comment of MiniBatches defines them. */
    static int[] batchRows(long seed, int size, int n, int k) {
        int perEpoch = (n + size - 1) / size;
        int epoch = k / perEpoch;
        int pos = k % perEpoch;
        int[] perm = MiniBatches.permutation(seed, epoch, n);
        return Arrays.copyOfRange(perm, pos * size, Math.min(n, (pos + 1) * size));
    }

    static Map<String, double[]> read(Optimizer o) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, DeviceArray> e : o.stateArrays().entrySet()) m.put(e.getKey(), e.getValue().read());
        return m;
    }

    static Map<String, double[]> copy(Map<String, double[]> m) {
        Map<String, double[]> c = new LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }

    static Map<String, double[]> values(Map<String, Bounded[]> m) {
        Map<String, double[]> c = new LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, Bounded.values(v)));
        return c;
    }

    static void assertRelative(double[] expected, double[] actual, String what) {
        double err = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            err = Math.max(err, Math.abs(expected[i] - actual[i]));
            norm = Math.max(norm, Math.abs(expected[i]));
        }
        double e = err;
        double nrm = norm;
        if (norm > 0) worst[0] = Math.max(worst[0], err / norm);
        assertTrue(err <= FP64_RELATIVE * norm, () -> String.format("%s: relative error %.3g > %.0e%n reference %s%n device    %s",
                what, e / nrm, FP64_RELATIVE, Arrays.toString(expected), Arrays.toString(actual)));
    }

    static void assertWithin(Bounded[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            Bounded b = expected[i];
            double x = actual[i];
            int j = i;
            if (b.r() > 0) worst[0] = Math.max(worst[0], Math.abs(x - b.v()) / b.r());
            if (b.v() != 0) worst[1] = Math.max(worst[1], b.r() / Math.abs(b.v()));
            assertTrue(b.contains(x), () -> String.format("%s[%d]: reference %.9g, device %.9g, |error| %.3g > bound %.3g",
                    what, j, b.v(), x, Math.abs(x - b.v()), b.r()));
        }
    }
}
