package io.descent.train;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.optim.Optimizers;
import io.descent.optim.Optimizer;
import io.descent.optim.Problem;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each workload's f* is what the best method actually reaches, so a target is never unreachable. */
class TargetsTest {
    private static Targets.Target target(Experiment e) {
        ClRuntime rt = TestDevices.runtime();
        try (Setup s = e.build(rt, Precision.FP64)) {
            return Targets.of(s, s.defaultInit());
        }
    }

    /** The loss a float64 method reaches in {@code steps}. */
    private static double reached(Experiment e, String optimizer, int steps) {
        ClRuntime rt = TestDevices.runtime();
        try (Setup s = e.build(rt, Precision.FP64); Problem p = new Problem(s.objective(), s.defaultInit());
             Optimizer o = Optimizers.parse(optimizer)) {
            Trainer.run(p, o, Trainer.Options.steps(steps));
            return s.objective().loss(p.params());
        }
    }

    private static Experiment scenario(String name) {
        Experiment e = new Experiment();
        Scenario.get(name).apply(e);
        return e;
    }

    @Test
    void leastSquaresAndLogisticOptimaAreWhatNewtonReaches() {
        Experiment line = scenario("line-100");
        Targets.Target t = target(line);
        assertEquals(reached(line, "newton", 3), t.fStar(), 1e-12 * t.fStar(), "the normal equations' optimum");
        assertEquals(t.fStar() + Targets.FRACTION * (t.f0() - t.fStar()), t.loss(), 1e-12 * t.f0());
        Experiment logistic = new Experiment();
        logistic.objective = "logistic";
        logistic.generator = "two-class";
        logistic.rows = 500;
        logistic.features = 3;
        logistic.intercept = true;
        logistic.alpha = 0.01;
        Targets.Target lt = target(logistic);
        assertEquals(reached(logistic, "damped-newton", 30), lt.fStar(), 1e-10, "IRLS on the host, Newton on the device");
        assertTrue(lt.optimum().contains("Newton"), lt.optimum());
    }

    @Test
    void testFunctionsUseTheirMinimaAndXcosItsNearestLocalMinimum() {
        assertEquals(0, target(scenario("x2")).fStar());
        assertEquals(1, target(scenario("cosh")).fStar(), 1e-15);
        assertEquals(0, target(scenario("rosenbrock")).fStar());
        Targets.Target x = target(scenario("xcos"));
        assertTrue(x.fStar() < x.f0(), "below the start");
        assertEquals(reached(scenario("xcos"), "damped-newton", 50), x.fStar(), 1e-9,
                "the local minimum damped Newton walks down to from x = 10");
        assertTrue(target(scenario("mlp-10k")).optimum().contains("represents exactly"));
    }
}
