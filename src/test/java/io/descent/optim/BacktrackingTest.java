package io.descent.optim;

import io.descent.cl.Precision;
import io.descent.objective.Objective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backtracking (Armijo) gradient descent on the device against the float64 reference, and the
 * batched search against one candidate at a time (bit-identical parameters, fewer host reads).
 */
class BacktrackingTest {
    static final int STEPS = 25;

    static Stream<Arguments> referenceCases() {
        return Stream.of(
                Arguments.of("quadratic2d", 1.0, 0.7),
                Arguments.of("rosenbrock2", 1.0, 0.5),
                Arguments.of("rosenbrock10", 1.0, 0.3),
                Arguments.of("line", 1.0, 0.5),
                Arguments.of("seed000", 10.0, 0.5),
                Arguments.of("mlp", 1.0, 0.5));
    }

    @ParameterizedTest(name = "{0} lr={1} shrink={2}")
    @MethodSource("referenceCases")
    void matchesTheFloat64Reference(String name, double lr, double shrink) throws Exception {
        for (boolean batched : new boolean[]{false, true}) {
            try (Cases.Open c = KeepSteppingTest.open(name, Precision.FP64);
                 Backtracking bt = new Backtracking(lr, 1e-4, shrink, 40, batched, 8)) {
                bt.init(c.problem);
                ReferenceCheck.Summary s = ReferenceCheck.run(c, bt,
                        (w, nz) -> SearchReference.backtracking(c.host, w, lr, 1e-4, shrink, 40, nz), bt::lastAccepted,
                        STEPS, c + " batched=" + batched);
                assertTrue(s.steps() >= 10, "compared " + s.steps() + " steps before converging");
                assertTrue(s.decisionsSum() > 0, "the search backtracked");
                System.out.printf("backtracking %s lr=%g shrink=%g batched=%b: %d steps, sum of j %d, max rel error %.3g (tolerance %.3g)%n",
                        c, lr, shrink, batched, s.steps(), s.decisionsSum(), s.maxError(), s.maxTolerance());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.descent.optim.KeepSteppingTest#batchCases")
    void batchedGivesTheSameParametersAsOneAtATime(String name, Precision p) throws Exception {
        double lr = name.equals("seed000") ? 10 : 1; // from 1, seed 000's well-conditioned data needs no backtracking
        try (Cases.Open a = KeepSteppingTest.open(name, p); Cases.Open b = KeepSteppingTest.open(name, p);
             Backtracking one = new Backtracking(lr, 1e-4, 0.5, 40, false, 8);
             Backtracking many = new Backtracking(lr, 1e-4, 0.5, 40, true, 8)) {
            one.init(a.problem);
            many.init(b.problem);
            long backtracks = 0;
            for (int s = 0; s < 20; s++) {
                a.problem.beginStep();
                one.step(a.problem);
                a.problem.advance();
                b.problem.beginStep();
                many.step(b.problem);
                b.problem.advance();
                assertEquals(one.lastAccepted(), many.lastAccepted(), "step " + s);
                assertArrayEquals(a.problem.readParams(), b.problem.readParams(), 0.0, "step " + s);
                backtracks += Math.max(0, one.lastAccepted());
            }
            assertTrue(backtracks > 20, "the case backtracks");
            assertTrue(many.counters().get("host_reads") < one.counters().get("host_reads"));
            assertEquals((double) a.problem.objective().count(Objective.Count.LOSS), one.counters().get("loss_evaluations"));
            assertEquals((double) b.problem.objective().count(Objective.Count.LOSS), many.counters().get("loss_evaluations"));
            System.out.printf("backtracking batched %s: host reads %s vs %s (batch 8), loss evaluations %s vs %s%n", a,
                    one.counters().get("host_reads"), many.counters().get("host_reads"),
                    one.counters().get("loss_evaluations"), many.counters().get("loss_evaluations"));
        }
    }

    /** Every accepted step satisfies Armijo's condition with the device's own values. */
    @Test
    void acceptedStepsSatisfyArmijo() throws Exception {
        try (Cases.Open c = Cases.rosenbrock(Precision.FP64, 2); Backtracking bt = new Backtracking(1.0, 0.3, 0.5, 40, false, 8)) {
            bt.init(c.problem);
            for (int s = 0; s < 30; s++) {
                double[] w = c.problem.readParams();
                double f0 = c.host.f(w);
                double[] g = c.host.g(w);
                double gg = g[0] * g[0] + g[1] * g[1];
                c.problem.beginStep();
                bt.step(c.problem);
                c.problem.advance();
                double t = Math.pow(0.5, bt.lastAccepted());
                double f1 = c.host.f(c.problem.readParams());
                assertTrue(f1 <= f0 - 0.3 * t * gg * (1 - 1e-9), "step " + s + ": sufficient decrease");
                if (bt.lastAccepted() > 0) {
                    double[] prev = HostObjective.along(w, -2 * t, g);
                    assertTrue(c.host.f(prev) > f0 - 0.3 * 2 * t * gg, "step " + s + ": the longer step was rejected");
                }
            }
        }
    }
}
