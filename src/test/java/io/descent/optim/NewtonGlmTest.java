package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.data.Dataset;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.LinearRegression;
import io.descent.objective.LogisticRegression;
import io.descent.objective.TestFunction;
import io.descent.train.Trainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Newton as GLM users expect it: IRLS with a line search, an L-BFGS fallback, and stops that say why. */
class NewtonGlmTest {
    private static Trainer.Result run(Problem p, Optimizer o, int steps) {
        o.init(p);
        return new Trainer().resume(p, o, Trainer.Options.steps(steps), new Trainer.Listener() { });
    }

    @Test
    void logisticIrlsConvergesAndSaysSoByTheDecrement() {
        ClRuntime rt = TestDevices.runtime();
        for (Precision prec : Precision.values()) {
            try (DeviceDataset d = new DeviceDataset(rt, Generators.twoClass(5000, 10, 8).data(), prec);
                 LogisticRegression f = new LogisticRegression(d, true, 0);
                 Problem p = new Problem(f, new double[f.parameterCount()]); Newton o = new Newton()) {
                Trainer.Result r = run(p, o, 100);
                assertEquals(Trainer.Stop.CONVERGED, r.stop(), prec + ": " + r.stop());
                assertTrue(r.steps() < 15, prec + ": IRLS converges in a handful of steps, took " + r.steps());
                assertTrue(r.stopReason().contains("Newton decrement"), r.stopReason());
                assertFalse(o.fellBack());
                try (Problem q = new Problem(f, new double[f.parameterCount()]);
                     Optimizer lbfgs = Optimizers.parse("lbfgs")) {
                    run(q, lbfgs, 300);
                    double a = f.loss(p.params()), b = f.loss(q.params());
                    assertEquals(b, a, 20 * prec.unitRoundoff() * b, prec + ": the optimum L-BFGS finds");
                }
            }
        }
    }

    @Test
    void aSingularHessianFallsBackToLbfgsNamingThePivot() {
        ClRuntime rt = TestDevices.runtime();
        Dataset base = Generators.twoClass(2000, 3, 2).data();
        double[] x = new double[base.rows() * 4];
        for (int i = 0; i < base.rows(); i++) {
            System.arraycopy(base.x(), i * 3, x, i * 4, 3);
            x[i * 4 + 3] = base.x()[i * 3 + 1]; // x4 duplicates x2: X'WX is singular
        }
        Dataset dup = Dataset.of("duplicate column", base.rows(), 4, x, base.y());
        try (DeviceDataset d = new DeviceDataset(rt, dup, Precision.FP64);
             LogisticRegression f = new LogisticRegression(d, true, 0);
             Problem p = new Problem(f, new double[f.parameterCount()]); Newton o = new Newton()) {
            double f0 = f.loss(p.params());
            Trainer.Result r = run(p, o, 60);
            assertTrue(o.fellBack(), "fell back to L-BFGS");
            String warning = String.join("\n", o.warnings());
            assertTrue(warning.contains("not positive definite: pivot 4") && warning.contains("L-BFGS"), warning);
            assertNotNull(r.history());
            try (DeviceDataset d3 = new DeviceDataset(rt, base, Precision.FP64);
                 LogisticRegression g = new LogisticRegression(d3, true, 0);
                 Problem q = new Problem(g, new double[g.parameterCount()]); Newton n = new Newton()) {
                run(q, n, 50);
                double fStar = g.loss(q.params()); // a duplicate column leaves the optimal loss as it is
                assertTrue(f0 > fStar * 1.1);
                assertEquals(fStar, f.loss(p.params()), 1e-9 * fStar, "L-BFGS carried on to the optimum");
            }
        }
    }

    @Test
    void leastSquaresTakesOneFullStepAndStops() {
        ClRuntime rt = TestDevices.runtime();
        try (DeviceDataset d = new DeviceDataset(rt, Generators.seed000Regression(10_000, 10, 1).data(), Precision.FP64);
             LinearRegression f = new LinearRegression(d, false, 0);
             Problem p = new Problem(f, new double[f.parameterCount()]); Newton o = new Newton()) {
            Trainer.Result r = run(p, o, 100);
            assertEquals(Trainer.Stop.CONVERGED, r.stop());
            assertEquals(1, r.steps(), "seed 000: one Newton step");
            assertEquals(1, f.count(io.descent.objective.Objective.Count.HESSIAN), "one Hessian, not 100");
            assertTrue(r.stopReason().contains("quadratic"), r.stopReason());
        }
        try (TestFunction f = new TestFunction(rt, Precision.FP64, "xcos", 1); Problem p = new Problem(f, f.start());
             Newton o = new Newton()) {
            Trainer.Result r = run(p, o, 30);
            assertTrue(r.steps() > 1, "pure Newton on x cos(cx) is no quadratic: it walks on (to a maximum)");
        }
    }

    @Test
    void dampedNewtonStopsOnTheDecrementToo() {
        ClRuntime rt = TestDevices.runtime();
        try (TestFunction f = new TestFunction(rt, Precision.FP64, "cosh", 1); Problem p = new Problem(f, f.start());
             Optimizer o = Optimizers.parse("damped-newton")) {
            Trainer.Result r = run(p, o, 200);
            assertEquals(Trainer.Stop.CONVERGED, r.stop(), "cosh from 10");
            assertTrue(r.steps() < 60, "" + r.steps());
            assertEquals(1.0, f.loss(p.params()), 1e-14);
        }
    }
}
