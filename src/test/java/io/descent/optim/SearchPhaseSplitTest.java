package io.descent.optim;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.objective.Objective;
import io.descent.profile.Phase;
import io.descent.profile.PhaseTotals;
import io.descent.train.Checkpoint;
import io.descent.train.History;
import io.descent.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The line-search methods as the trainer and the CLI see them: where their device work is timed
 * (gradients under gradient, forward-only losses under loss, their own kernels under update), their
 * counters against the objective's and the timer's, runs under the {@link Trainer}, checkpoints,
 * and hyper-parameter validation.
 */
class SearchPhaseSplitTest {
    static final String[] SPECS = {"keepstepping:lr=0.001", "keepstepping:lr=0.001,batched=true",
            "keepvaulting:lr=0.001", "keepvaulting:lr=0.001,variant=post", "backtracking",
            "backtracking:batched=true", "lbfgs", "lbfgs:line_search=backtracking,batched=true"};

    @Test
    void evaluationsAreTimedUnderTheirPhasesAndCountersAddUp() throws Exception {
        ClRuntime rt = TestDevices.runtime();
        for (String spec : SPECS) {
            for (String fixture : new String[]{"line", "quadratic2d", "mlp"}) {
                try (Fixture f = Fixture.create(fixture, rt, Precision.FP32); Problem p = new Problem(f.objective, f.start());
                     SearchOptimizer o = (SearchOptimizer) Optimizers.parse(spec)) {
                    rt.finish();
                    PhaseTotals before = rt.timer().totals();
                    p.gradient();
                    rt.finish();
                    long oneGradientOps = rt.timer().totals().minus(before).get(Phase.GRADIENT).operations();
                    o.init(p);
                    long g0 = f.objective.count(Objective.Count.GRADIENT);
                    long l0 = f.objective.count(Objective.Count.LOSS);
                    rt.finish();
                    before = rt.timer().totals();
                    for (int i = 0; i < 5; i++) {
                        p.beginStep();
                        o.step(p);
                        p.advance();
                    }
                    rt.finish();
                    PhaseTotals d = rt.timer().totals().minus(before);
                    Map<String, Double> c = o.counters();
                    String what = spec + " on " + fixture;
                    assertEquals(5.0, c.get("steps"), what);
                    assertEquals((double) (f.objective.count(Objective.Count.GRADIENT) - g0), c.get("gradients"), what);
                    assertEquals((double) (f.objective.count(Objective.Count.LOSS) - l0), c.get("loss_evaluations"), what);
                    assertEquals(c.get("gradients") * oneGradientOps, d.get(Phase.GRADIENT).operations(), what + ": gradient launches");
                    assertEquals(c.get("loss_evaluations") > 0, d.get(Phase.LOSS).operations() > 0, what + ": loss launches");
                    assertEquals(0, d.get(Phase.HESSIAN).operations() + d.get(Phase.SOLVE).operations(), what);
                    assertTrue(d.get(Phase.UPDATE).operations() > 0, what + ": own kernels under update");
                    assertEquals(c.get("host_reads"), (double) d.hostReads(), what + ": every host read is counted");
                    assertTrue(c.get("mini_steps") > 0, what + ": it moved");
                }
            }
        }
    }

    /** Under the trainer: the recorded loss never rises for the methods that only accept decreases. */
    @ParameterizedTest
    @ValueSource(strings = {"keepstepping:lr=0.005,max_steps=30,scale_i=2", "keepvaulting:lr=0.005",
            "keepvaulting:lr=0.005,variant=post", "backtracking", "lbfgs", "lbfgs:line_search=backtracking"})
    void trainsUnderTheTrainer(String spec) throws Exception {
        ClRuntime rt = TestDevices.runtime();
        try (Fixture f = Fixture.create("mlp", rt, Precision.FP32); Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse(spec)) {
            History h = Trainer.run(p, o, Trainer.Options.steps(30));
            assertEquals(30, h.rows().size());
            for (int i = 1; i < h.rows().size(); i++) {
                assertTrue(h.rows().get(i).loss() <= h.rows().get(i - 1).loss(),
                        spec + ": loss rose at step " + h.rows().get(i).step());
            }
            assertTrue(h.last().loss() < 0.5 * h.rows().get(0).loss(), spec + ": it trains: " + h.rows().get(0).loss()
                    + " -> " + h.last().loss());
            assertEquals((double) h.last().gradients(), ((SearchOptimizer) o).counters().get("gradients"));
        }
    }

    /** A run resumed from a checkpoint continues exactly as the uninterrupted one. */
    @ParameterizedTest
    @ValueSource(strings = {"keepstepping:lr=0.003,batched=true", "lbfgs:history=4", "lbfgs:line_search=backtracking"})
    void checkpointsResumeExactly(String spec, @TempDir Path dir) throws Exception {
        ClRuntime rt = TestDevices.runtime();
        Path file = dir.resolve("c.json");
        double[] straight;
        try (Fixture f = Fixture.create("mlp", rt, Precision.FP64); Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse(spec)) {
            Trainer.run(p, o, Trainer.Options.steps(6));
            Checkpoint.capture(p, o, Map.of()).write(file);
            new Trainer().resume(p, o, Trainer.Options.steps(12), new Trainer.Listener() { });
            straight = p.readParams();
        }
        try (Fixture f = Fixture.create("mlp", rt, Precision.FP64); Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse(spec)) {
            o.init(p);
            Checkpoint.read(file).restore(p, o, file);
            assertEquals(6.0, ((SearchOptimizer) o).counters().get("steps"));
            new Trainer().resume(p, o, Trainer.Options.steps(12), new Trainer.Listener() { });
            assertArrayEquals(straight, p.readParams(), 0.0, spec);
        }
    }

    /**
     * x^2 from 10 with lr 1: the first mini-step lands on -10, no lower, so the step stalls; the
     * steps after it would repeat it exactly and are skipped (same recorded loss, no evaluation,
     * no host read), until the learning rate changes.
     */
    @Test
    void repeatedStallsAreSkippedUntilTheLearningRateChanges() throws Exception {
        ClRuntime rt = TestDevices.runtime();
        for (String spec : new String[]{"keepstepping:lr=1", "keepvaulting:lr=1", "backtracking:lr=1,max_evals=1"}) {
            try (io.descent.objective.TestFunction f = new io.descent.objective.TestFunction(rt, Precision.FP64, "x2", 1);
                 Problem p = new Problem(f, new double[]{10}); SearchOptimizer o = (SearchOptimizer) Optimizers.parse(spec)) {
                o.withSchedule(Schedule.step(4, 0.5));
                History h = Trainer.run(p, o, Trainer.Options.steps(5));
                for (int i = 0; i < 4; i++) {
                    assertEquals(100.0, h.rows().get(i).loss(), spec + " step " + (i + 1));
                }
                Map<String, Double> c = o.counters();
                assertEquals(2.0, c.get("gradients"), spec + ": step 1, then step 5 at lr 0.5: " + c);
                assertEquals(3.0, c.get("skipped_steps"), spec + ": steps 2 to 4: " + c);
                assertEquals(4.0, c.get("stalled_steps"), spec + ": " + c);
                assertTrue(f.loss(p.params()) < 100, spec + ": lr 0.5 moves");
                assertEquals(p.objective().count(Objective.Count.GRADIENT), 2, spec);
            }
        }
    }

    /** L-BFGS past convergence: the stalled steps cost nothing once a search along -g has stalled. */
    @Test
    void lbfgsPastConvergenceCostsNoGradients() throws Exception {
        try (Cases.Open c = Cases.rosenbrock(Precision.FP64, 2); SearchOptimizer o = (SearchOptimizer) Optimizers.parse("lbfgs")) {
            History h = Trainer.run(c.problem, o, Trainer.Options.steps(300).readEvery(50));
            Map<String, Double> k = o.counters();
            assertTrue(k.get("gradients") < 100, k.toString());
            assertTrue(k.get("skipped_steps") > 200, k.toString());
            assertTrue(h.last().loss() < 1e-20, "converged: " + h.last().loss());
        }
    }

    @Test
    void badHyperParametersNameTheValue() {
        String[][] cases = {
                {"keepstepping:max_steps=0", "keepstepping: max_steps = 0 must be >= 1"},
                {"keepstepping:scale_i=-1", "keepstepping: scale_i = -1.0 must be a finite number >= 0"},
                {"keepstepping:batch=65", "keepstepping: batch = 65 must be between 1 and 64"},
                {"keepstepping:lr=0", "keepstepping: lr = 0.0 must be a finite number > 0"},
                {"keepvaulting:max_steps=-3", "keepvaulting: max_steps = -3 must be >= 1"},
                {"keepvaulting:variant=newton", "keepvaulting: variant = 'newton' must be parabola or post"},
                {"backtracking:c1=1", "backtracking: c1 = 1.0 must be in (0, 1)"},
                {"backtracking:shrink=1.5", "backtracking: shrink = 1.5 must be in (0, 1)"},
                {"backtracking:max_evals=0", "backtracking: max_evals = 0 must be >= 1"},
                {"lbfgs:history=0", "lbfgs: history = 0 must be >= 1"},
                {"lbfgs:c2=0.00001", "lbfgs: c2 = 1.0E-5 must be in (c1, 1)"},
                {"lbfgs:line_search=exact", "lbfgs: line_search = 'exact' must be wolfe or backtracking"},
                {"keepstepping:max_steps=2.5", "max_steps = 2.5 must be a whole number"},
                {"keepstepping:batched=maybe", "batched = 'maybe' is not true or false"},
                {"keepstepping:history=3", "optimizer 'keepstepping' has no option 'history': valid options are lr, max_steps, scale_i, batched, batch"},
        };
        for (String[] c : cases) {
            UsageException e = assertThrows(UsageException.class, () -> Optimizers.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
        }
    }
}
