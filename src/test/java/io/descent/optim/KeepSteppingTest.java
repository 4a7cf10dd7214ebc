package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.DeviceArray;
import io.descent.cl.Precision;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KeepStepping on the device: against the float64 reference ({@link ReferenceCheck}: identical
 * accepted counts every step, parameters within the propagated rounding), the rule that a mini-step
 * raising the loss is never accepted (checked against the device's own losses along the line),
 * max_steps, batched = one-at-a-time bit for bit, and the counters.
 */
class KeepSteppingTest {
    static final int STEPS = 25;

    static Cases.Open open(String name, Precision p) {
        return switch (name) {
            case "quadratic2d" -> Cases.quadratic2d(p);
            case "rosenbrock2" -> Cases.rosenbrock(p, 2);
            case "rosenbrock10" -> Cases.rosenbrock(p, 10);
            case "line" -> Cases.line(p);
            case "seed000" -> Cases.seed000(p, 2000, 10);
            case "mlp" -> Cases.smallMlp(p);
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Stream<Arguments> referenceCases() {
        return Stream.of(
                Arguments.of("quadratic2d", 0.01, 50, 0.0),
                Arguments.of("quadratic2d", 0.01, 10, 2.0),
                Arguments.of("rosenbrock2", 1e-4, 50, 2.0),
                Arguments.of("rosenbrock10", 2e-4, 20, 1.0),
                Arguments.of("line", 1e-3, 20, 0.0),
                Arguments.of("line", 1e-3, 50, 2.0),
                Arguments.of("seed000", 1e-3, 20, 2.0),
                Arguments.of("mlp", 1e-2, 20, 1.0));
    }

    @ParameterizedTest(name = "{0} lr={1} max_steps={2} scale_i={3}")
    @MethodSource("referenceCases")
    void matchesTheFloat64Reference(String name, double lr, int maxSteps, double scaleI) throws Exception {
        for (boolean batched : new boolean[]{false, true}) {
            try (Cases.Open c = open(name, Precision.FP64); KeepStepping ks = new KeepStepping(lr, maxSteps, scaleI, batched, 8)) {
                ks.init(c.problem);
                ReferenceCheck.Summary s = ReferenceCheck.run(c, ks,
                        (w, nz) -> SearchReference.keepStepping(c.host, w, lr, maxSteps, scaleI, nz), ks::lastAccepted,
                        STEPS, c + " batched=" + batched);
                assertEquals(STEPS, s.steps(), "all steps compared");
                assertTrue(s.decisionsSum() > STEPS, c + ": it should keep stepping (accepted " + s.decisionsSum() + ")");
                System.out.printf("keepstepping %s lr=%g max=%d scale=%g batched=%b: accepted %d in %d steps, max rel error %.3g (tolerance %.3g)%n",
                        c, lr, maxSteps, scaleI, batched, s.decisionsSum(), STEPS, s.maxError(), s.maxTolerance());
            }
        }
    }

    /**
     * On x cos(cx) the loss along -g falls, rises and falls again (c = 0.15 pi, from x = 10 the
     * line crosses several valleys): each step must stop at the first rise, with exactly the
     * longest strictly decreasing prefix of the device's own losses at the candidates (computed
     * beforehand with the same kernel), and land exactly on that candidate.
     */
    @Test
    void neverAcceptsAMiniStepThatRaisesTheLoss() throws Exception {
        ClRuntime rt = TestDevices.runtime();
        for (Precision p : Precision.values()) {
            double lr = 0.05;
            int max = 60;
            double scaleI = 0.5;
            double[] c = KeepStepping.offsets(max, scaleI);
            boolean sawLaterLower = false;
            try (TestFunction f = new TestFunction(rt, p, "xcos", 1); Problem pr = new Problem(f, new double[]{10});
                 KeepStepping ks = new KeepStepping(lr, max, scaleI, false, 8);
                 DeviceArray g = rt.allocate(p, 1); DeviceArray steps = rt.allocate(p, max);
                 DeviceArray out = rt.allocate(p, max)) {
                ks.init(pr);
                for (int s = 0; s < 12; s++) {
                    double[] w = pr.readParams();
                    double l0 = f.lossAndGradient(pr.params(), g);
                    double gv = g.read()[0];
                    double[] t = new double[max];
                    for (int k = 0; k < max; k++) t[k] = p.round(p.round(-lr) * p.round(c[k]));
                    steps.write(t);
                    f.losses(pr.params(), g, steps, max, out);
                    double[] ls = out.read();
                    int expected = 0;
                    double last = l0;
                    while (expected < max && ls[expected] < last) last = ls[expected++];
                    for (int k = expected + 1; k < max; k++) {
                        if (ls[k] < last) sawLaterLower = true;
                    }
                    pr.beginStep();
                    ks.step(pr);
                    pr.advance();
                    assertEquals(expected, ks.lastAccepted(), p.label() + " step " + s + ": accepted mini-steps");
                    double wn = pr.readParams()[0];
                    if (expected == 0) {
                        assertEquals(w[0], wn, 0.0, "a stalled step leaves w");
                    } else {
                        assertEquals(p.round(w[0] + t[expected - 1] * gv), wn, 2 * p.unitRoundoff() * Math.abs(wn),
                                "lands on the last accepted candidate");
                        assertTrue(f.loss(pr.params()) <= l0, "the loss did not rise");
                    }
                }
            }
            assertTrue(sawLaterLower, p.label() + ": the case must have a lower loss beyond a rise (else it tests nothing)");
        }
    }

    /** With a tiny lr every candidate lowers the loss: exactly max_steps accepted, max_steps evaluated. */
    @Test
    void maxStepsIsRespected() throws Exception {
        for (boolean batched : new boolean[]{false, true}) {
            try (Cases.Open c = Cases.quadratic2d(Precision.FP64); KeepStepping ks = new KeepStepping(1e-4, 7, 1, batched, 3)) {
                ks.init(c.problem);
                for (int s = 0; s < 5; s++) {
                    c.problem.beginStep();
                    ks.step(c.problem);
                    c.problem.advance();
                    assertEquals(7, ks.lastAccepted(), "accepted");
                    assertEquals(7, ks.lastEvaluated(), "evaluated (batches of 3, 3 and 1)");
                }
                Map<String, Double> k = ks.counters();
                assertEquals(35, k.get("mini_steps"));
                assertEquals(5, k.get("gradients"));
                assertEquals(7.0, k.get("mini_steps_per_gradient"));
            }
        }
    }

    static Stream<Arguments> batchCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : Precision.values()) {
            for (String name : new String[]{"rosenbrock10", "line", "seed000", "mlp"}) {
                b.add(Arguments.of(name, p));
            }
        }
        return b.build();
    }

    /**
     * Batched candidates (3, 8 and 64 per launch) against one at a time: the same accepted count
     * every step and bit-identical parameters, in both precisions; fewer host reads.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("batchCases")
    void batchedGivesTheSameParametersAsOneAtATime(String name, Precision p) throws Exception {
        double lr = name.startsWith("rosenbrock") ? 2e-4 : name.equals("line") ? 1e-3 : name.equals("mlp") ? 3e-3 : 1e-2;
        int max = 40;
        double scaleI = 1;
        try (Cases.Open one = open(name, p); KeepStepping single = new KeepStepping(lr, max, scaleI, false, 1)) {
            single.init(one.problem);
            int[] batches = {3, 8, 64};
            Cases.Open[] others = new Cases.Open[batches.length];
            KeepStepping[] ks = new KeepStepping[batches.length];
            try {
                for (int i = 0; i < batches.length; i++) {
                    others[i] = open(name, p);
                    ks[i] = new KeepStepping(lr, max, scaleI, true, batches[i]);
                    ks[i].init(others[i].problem);
                }
                long accepted = 0;
                for (int s = 0; s < 20; s++) {
                    one.problem.beginStep();
                    single.step(one.problem);
                    one.problem.advance();
                    accepted += single.lastAccepted();
                    double[] w = one.problem.readParams();
                    for (int i = 0; i < batches.length; i++) {
                        others[i].problem.beginStep();
                        ks[i].step(others[i].problem);
                        others[i].problem.advance();
                        assertEquals(single.lastAccepted(), ks[i].lastAccepted(), "batch " + batches[i] + " step " + s);
                        assertArrayEquals(w, others[i].problem.readParams(), 0.0, "batch " + batches[i] + " step " + s);
                    }
                }
                assertTrue(accepted > 20, "the case keeps stepping");
                for (KeepStepping k : ks) {
                    assertTrue(k.counters().get("host_reads") < single.counters().get("host_reads"), "fewer host reads");
                    assertEquals(single.counters().get("mini_steps"), k.counters().get("mini_steps"));
                }
                System.out.printf("keepstepping batched %s: host reads %s (one at a time) vs %s / %s / %s (batches 3, 8, 64); loss evaluations %s vs %s / %s / %s%n",
                        one, single.counters().get("host_reads"), ks[0].counters().get("host_reads"),
                        ks[1].counters().get("host_reads"), ks[2].counters().get("host_reads"),
                        single.counters().get("loss_evaluations"), ks[0].counters().get("loss_evaluations"),
                        ks[1].counters().get("loss_evaluations"), ks[2].counters().get("loss_evaluations"));
            } finally {
                for (int i = 0; i < batches.length; i++) {
                    if (ks[i] != null) ks[i].close();
                    if (others[i] != null) others[i].close();
                }
            }
        }
    }

    /** Counters agree with the objective's own counts; reads are one per launch plus none else. */
    @Test
    void countersMatchTheObjectivesCounts() throws Exception {
        for (boolean batched : new boolean[]{false, true}) {
            try (Cases.Open c = Cases.line(Precision.FP64); KeepStepping ks = new KeepStepping(1e-3, 20, 0, batched, 8)) {
                Objective f = c.problem.objective();
                ks.init(c.problem);
                long reads0 = c.problem.runtime().timer().totals().hostReads();
                int launches = 0;
                for (int s = 0; s < 10; s++) {
                    c.problem.beginStep();
                    ks.step(c.problem);
                    c.problem.advance();
                    launches += batched ? (ks.lastEvaluated() + 7) / 8 : ks.lastEvaluated();
                }
                Map<String, Double> k = ks.counters();
                assertEquals((double) f.count(Objective.Count.GRADIENT), k.get("gradients"));
                assertEquals((double) f.count(Objective.Count.LOSS), k.get("loss_evaluations"));
                assertEquals(10.0, k.get("steps"));
                assertEquals(launches, k.get("host_reads"));
                assertEquals((double) (c.problem.runtime().timer().totals().hostReads() - reads0), k.get("host_reads"),
                        "the optimizer's reads are all the host reads of its steps");
            }
        }
    }
}
