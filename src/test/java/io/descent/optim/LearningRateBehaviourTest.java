package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.objective.TestFunction;
import io.descent.train.DivergenceException;
import io.descent.train.History;
import io.descent.train.Trainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 002's learning-rate behaviours on f(x) = x^2 from x = 10 with gradient descent, through the
 * {@link Trainer}, in float64. The iteration is x &larr; (1 - 2 eta) x, so x_t = 10 (1 - 2 eta)^t;
 * each check compares with that closed form (relative 1e-12: each step rounds at most twice) and
 * with the seed's words.
 */
class LearningRateBehaviourTest {
    static double closedForm(double eta, int t) {
        return 10 * Math.pow(1 - 2 * eta, t);
    }

    static void assertClose(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 1e-12 * Math.abs(expected),
                what + ": expected " + expected + ", got " + actual);
    }

    private static History run(ClRuntime rt, double eta, int steps, double[] xOut) {
        try (TestFunction f = new TestFunction(rt, Precision.FP64, "x2", 1);
             Problem p = new Problem(f, f.start());
             Sgd gd = new Sgd(Sgd.Variant.GD, eta, 0, 0, 0, 0)) {
            try {
                return Trainer.run(p, gd, Trainer.Options.steps(steps));
            } finally {
                xOut[0] = p.readParams()[0];
            }
        }
    }

    @Test
    void eta02ConvergesInTenSteps() {
        double[] x = new double[1];
        History h = run(TestDevices.runtime(), 0.2, 10, x);
        assertClose(closedForm(0.2, 10), x[0], "x after 10 steps at eta 0.2");
        assertTrue(Math.abs(x[0]) < 0.1, "seed 002 prints x = 0.060466 after 10 steps; got " + x[0]);
        assertEquals(10, h.rows().size());
        for (int i = 0; i < 10; i++) {
            // the loss recorded at step i + 1 is f at the point the step started from
            double xi = closedForm(0.2, i);
            assertClose(xi * xi, h.rows().get(i).loss(), "loss recorded at step " + (i + 1));
        }
        for (int i = 1; i < 10; i++) {
            assertTrue(h.rows().get(i).loss() < h.rows().get(i - 1).loss(), "loss decreases at every step");
        }
    }

    @Test
    void eta005IsStillFarAfterTenSteps() {
        double[] x = new double[1];
        run(TestDevices.runtime(), 0.05, 10, x);
        assertClose(closedForm(0.05, 10), x[0], "x after 10 steps at eta 0.05");
        assertTrue(x[0] > 3, "at eta 0.05 x is 10 * 0.9^10 = 3.49 after 10 steps, still far from 0; got " + x[0]);
    }

    @Test
    void eta11DivergesAndIsReportedWithStepAndLearningRate() {
        ClRuntime rt = TestDevices.runtime();
        double eta = 1.1;
        // |x| grows by 1.2 per step, f by 1.44: the guard (loss > 1e6 x the first loss, 100) fires at the
        // first step whose starting point has 1.44^(s - 1) > 1e6
        int expectedStep = 1;
        // the guard's rule: loss - first > 1e6 * max(|first|, 1), with first = f(10) = 100
        while (Math.pow(closedForm(eta, expectedStep - 1), 2) - 100 <= 1e6 * 100) expectedStep++;
        double[] x = new double[1];
        int step = expectedStep;
        DivergenceException e = assertThrows(DivergenceException.class, () -> run(rt, eta, 1000, x));
        assertEquals(step, e.step(), "the step whose loss tripped the guard");
        assertEquals(4, e.exitCode());
        assertTrue(e.getMessage().contains("diverged at step " + step), e.getMessage());
        assertTrue(e.getMessage().contains("learning rate 1.10000"), e.getMessage());
        assertTrue(Double.isFinite(e.loss()), "the guard fires on growth, before any NaN: " + e.loss());
        double lastGood = closedForm(eta, step - 1);
        assertClose(lastGood * lastGood, e.loss(), "loss that tripped the guard");
        // The parameters are put back to those after the last step that passed the guard, x_(s-1):
        // finite, and exactly where the iteration was.
        assertTrue(Double.isFinite(x[0]), "parameters are finite: " + x[0]);
        assertClose(lastGood, x[0], "parameters after the divergence");
    }
}
