package io.descent.optim;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.LinearRegression;
import io.descent.objective.LogisticRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;
import io.descent.train.History;
import io.descent.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Newton-CG: exact on quadratics when CG is run to convergence, monotone, and matrix-free. */
class NewtonCgTest {
    private static double[] run(Objective f, double[] start, String spec, int steps) {
        try (Problem p = new Problem(f, start); Optimizer o = Optimizers.parse(spec)) {
            o.init(p);
            Trainer.run(p, o, Trainer.Options.steps(steps));
            return p.readParams();
        }
    }

    @Test
    void withCgToConvergenceOneStepIsTheNewtonStepOnAQuadratic() {
        ClRuntime rt = TestDevices.runtime();
        try (DeviceDataset d = new DeviceDataset(rt, Generators.seed000Regression(2000, 6, 3).data(), Precision.FP64);
             LinearRegression f = new LinearRegression(d, false, 0.01)) {
            double[] start = new double[f.parameterCount()];
            double[] newton = run(f, start, "newton", 1);
            double[] cg = run(f, start, "newton-cg:rtol=1e-13,warm=false", 1);
            double scale = 0;
            for (double v : newton) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < newton.length; i++) {
                assertEquals(newton[i], cg[i], 1e-9 * scale, "parameter " + i + " after one step");
            }
        }
    }

    @Test
    void theForcingTermSolvesInexactlyYetConvergesToTheOptimum() {
        ClRuntime rt = TestDevices.runtime();
        try (DeviceDataset d = new DeviceDataset(rt, Generators.twoClass(3000, 8, 4).data(), Precision.FP64);
             LogisticRegression f = new LogisticRegression(d, true, 0.001);
             Problem p = new Problem(f, new double[f.parameterCount()]);
             NewtonCg o = (NewtonCg) Optimizers.parse("newton-cg")) {
            o.init(p);
            History h = Trainer.run(p, o, Trainer.Options.steps(15));
            double[] best = run(f, new double[f.parameterCount()], "damped-newton", 30);
            try (var bw = rt.upload(Precision.FP64, best)) {
                double fStar = f.loss(bw);
                assertEquals(fStar, f.loss(p.params()), 1e-12 * fStar, "the optimum damped Newton reaches");
            }
            Map<String, Double> k = o.counters();
            assertTrue(k.get("cg_iterations") >= 15, "at least one CG iteration a step: " + k);
            assertTrue(k.get("cg_iterations_per_step") < f.parameterCount(), "inexact: fewer than p iterations: " + k);
            assertEquals(0.0, k.get("negative_curvature"), "a convex objective has no negative curvature");
            for (int i = 1; i < h.rows().size(); i++) {
                // the search judges with the losses kernel, the next step records the gradient kernel's loss: the
                // two may round differently, so "never rises" holds to a few ulps
                double before = h.rows().get(i - 1).loss();
                assertTrue(h.rows().get(i).loss() <= before * (1 + 1e-14), "Armijo: the loss never rises, step " + i);
            }
        }
    }

    @Test
    void negativeCurvatureStopsCgAndTheStepStillGoesDownhill() {
        ClRuntime rt = TestDevices.runtime();
        try (TestFunction f = new TestFunction(rt, Precision.FP64, "rosenbrock", 2);
             Problem p = new Problem(f, f.start()); NewtonCg o = (NewtonCg) Optimizers.parse("newton-cg")) {
            o.init(p);
            History h = Trainer.run(p, o, Trainer.Options.steps(60));
            assertTrue(o.counters().get("negative_curvature") > 0, "Rosenbrock's Hessian is indefinite on the way: "
                    + o.counters());
            for (int i = 1; i < h.rows().size(); i++) {
                double before = h.rows().get(i - 1).loss();
                assertTrue(h.rows().get(i).loss() <= before + 1e-14 * Math.max(before, 1e-300) + 1e-300,
                        "step " + i + " went uphill");
            }
            assertTrue(f.loss(p.params()) < 1e-10, "reaches the minimum: " + f.loss(p.params()));
        }
    }

    @Test
    void gaussNewtonOnAnMlpIsPositiveSemiDefiniteAndBeatsItsStart() {
        ClRuntime rt = TestDevices.runtime();
        MlpSpec spec = new MlpSpec(5, List.of(8, 8), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE);
        try (DeviceDataset d = new DeviceDataset(rt, Generators.seed000Mlp(1500, 5, 2), Precision.FP32);
             Mlp f = new Mlp(d, spec, Mlp.Curvature.GAUSS_NEWTON);
             Problem p = new Problem(f, spec.initialParameters(new Random(3)));
             NewtonCg o = (NewtonCg) Optimizers.parse("newton-cg")) {
            double f0;
            try (var w0 = rt.upload(Precision.FP32, spec.initialParameters(new Random(3)))) {
                f0 = f.loss(w0);
            }
            o.init(p);
            Trainer.run(p, o, Trainer.Options.steps(25));
            assertEquals(0.0, o.counters().get("negative_curvature"), "Gauss-Newton products are never negative");
            assertTrue(f.loss(p.params()) < 0.01 * f0, "two orders of magnitude in 25 steps: " + f0 + " -> " + f.loss(p.params()));
            assertEquals(o.counters().get("hessian_vector_products"), (double) f.count(Objective.Count.HESSIAN_VECTOR),
                    "every product is counted");
        }
    }

    @Test
    void warmStartsSaveIterationsAndCheckpointTheirDirection() {
        ClRuntime rt = TestDevices.runtime();
        try (TestFunction f = new TestFunction(rt, Precision.FP64, "rosenbrock", 8);
             Problem p = new Problem(f, f.start()); NewtonCg o = (NewtonCg) Optimizers.parse("newton-cg:warm=true")) {
            o.init(p);
            Trainer.run(p, o, Trainer.Options.steps(5));
            assertEquals(List.of("previous_direction"), List.copyOf(o.stateArrays().keySet()));
            double[] prev = o.stateArrays().get("previous_direction").read();
            boolean nonzero = false;
            for (double v : prev) nonzero |= v != 0;
            assertTrue(nonzero, "the last direction is kept for the next step's start");
            assertArrayEquals(new double[]{1.0}, new double[]{o.stateScalars().get("have_direction")}, 0.0);
        }
    }
}
