package io.descent.train;

import io.descent.TestDevices;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.data.DeviceDataset;
import io.descent.data.Generators;
import io.descent.objective.LinearRegression;
import io.descent.objective.Mlp;
import io.descent.objective.MlpSpec;
import io.descent.objective.Objective;
import io.descent.objective.TestFunction;
import io.descent.optim.Optimizer;
import io.descent.optim.Optimizers;
import io.descent.optim.Problem;
import io.descent.profile.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batched recording: every stop rule, read in batches, gives exactly what reading after every step
 * gives (the same parameters, history and stop step), and the times come from the device.
 */
class TrainerTest {
    /** A problem factory: the objective on the shared runtime, and its start. */
    record Case(String name, Function<ClRuntime, Objective> objective, String optimizer, Trainer.Options options) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Outcome(List<History.Row> rows, double[] params, Trainer.Stop stop, long steps, Trainer.Target target,
                   Trainer.Result result) {
    }

    private static final MlpSpec SMALL = new MlpSpec(4, List.of(5, 3), MlpSpec.Activation.TANH, MlpSpec.Loss.MSE);

    /** Data sets stay on the shared runtime for the whole class: uploaded once. */
    private static DeviceDataset lineData, mlpData;

    private static synchronized Objective line(ClRuntime rt) {
        if (lineData == null || lineData.runtime().isClosed()) {
            lineData = new DeviceDataset(rt, Generators.seed001Line(1).data(), Precision.FP64);
        }
        return new LinearRegression(lineData, true, 0);
    }

    private static synchronized Objective mlp(ClRuntime rt) {
        if (mlpData == null || mlpData.runtime().isClosed()) {
            mlpData = new DeviceDataset(rt, Generators.seed000Mlp(300, 4, 5), Precision.FP64);
        }
        return new Mlp(mlpData, SMALL);
    }

    static Stream<Arguments> cases() {
        Trainer.Options base = Trainer.Options.steps(400);
        return Stream.of(
                new Case("gd to a target", TrainerTest::line, "gd:lr=0.01", base.targetLoss(12.0)),
                new Case("sgd mini-batches to a target", TrainerTest::line, "sgd:lr=0.005,batch=10,seed=3", base.targetLoss(9.0)),
                new Case("adam with patience", TrainerTest::mlp, "adam:lr=0.05", base.patience(5)),
                new Case("nesterov, target measured only", TrainerTest::mlp, "nesterov:lr=0.01,momentum=0.9",
                        Trainer.Options.steps(150).measureTarget(0.5)),
                new Case("lbfgs to a gradient tolerance", rt -> new TestFunction(rt, Precision.FP64, "rosenbrock", 4), "lbfgs",
                        base.gradTolerance(1e-6)),
                new Case("keepstepping, many losses a step", TrainerTest::mlp, "keepstepping:max_steps=50",
                        Trainer.Options.steps(120)),
                new Case("damped newton to a target", TrainerTest::mlp, "damped-newton", Trainer.Options.steps(40).targetLoss(1e-3))
        ).map(Arguments::of);
    }

    private static Outcome run(Case c, int readEvery) {
        ClRuntime rt = TestDevices.runtime();
        try (Objective f = c.objective().apply(rt);
             Problem p = new Problem(f, f instanceof TestFunction t ? t.start() : f.initialParameters(new Random(7)));
             Optimizer o = Optimizers.parse(c.optimizer())) {
            o.init(p);
            Trainer.Result r = new Trainer().resume(p, o, c.options().readEvery(readEvery), new Trainer.Listener() { });
            return new Outcome(r.history().rows(), p.readParams(), r.stop(), r.steps(), r.target(), r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void batchedReadsGiveWhatReadingEveryStepGives(Case c) {
        Outcome every = run(c, 1);
        for (int batch : new int[]{0, 7}) {
            Outcome b = run(c, batch);
            String what = c + ", read every " + (batch == 0 ? "64 (default)" : batch) + " steps";
            assertEquals(every.stop(), b.stop(), what + ": stop");
            assertEquals(every.steps(), b.steps(), what + ": stop step");
            assertArrayEquals(every.params(), b.params(), 0.0, what + ": parameters");
            assertEquals(every.rows().size(), b.rows().size(), what + ": history length");
            for (int i = 0; i < every.rows().size(); i++) {
                History.Row x = every.rows().get(i), y = b.rows().get(i);
                assertEquals(x.step(), y.step(), what + ": row " + i);
                assertEquals(x.loss(), y.loss(), 0.0, what + ": loss of step " + x.step());
                assertEquals(x.gradients(), y.gradients(), what + ": gradients by step " + x.step());
                assertEquals(x.losses(), y.losses(), what + ": losses by step " + x.step());
            }
            assertEquals(every.target() == null, b.target() == null, what + ": target reached");
            if (every.target() != null) {
                assertEquals(every.target().step(), b.target().step(), what + ": target step");
                assertEquals(every.target().gradients(), b.target().gradients(), what + ": gradients to target");
            }
            assertEquals(0, every.result().overshoot(), "reading every step never overshoots");
            assertTrue(b.result().recording().reads() <= every.result().recording().reads(), what + ": fewer reads");
        }
        assertTrue(every.stop() != Trainer.Stop.STEPS || c.options().targetLoss() != c.options().targetLoss()
                || !c.options().stopAtTarget(), c + " stopped by its rule: " + every.stop());
    }

    @Test
    void stepTimesComeFromTheDeviceAndGrow() {
        Case c = new Case("adam", TrainerTest::mlp, "adam:lr=0.01", Trainer.Options.steps(200));
        Outcome o = run(c, 0);
        double wall = 0, device = 0;
        for (History.Row r : o.rows()) {
            assertTrue(r.wallS() >= wall, "wall time never falls: step " + r.step());
            assertTrue(r.deviceS() > device, "every step costs device time: step " + r.step());
            assertTrue(r.deviceS() <= r.wallS() * 1.5 + 1e-3, "device time within the wall time: step " + r.step());
            wall = r.wallS();
            device = r.deviceS();
        }
        assertTrue(o.result().recording().reads() < 200 / 4, "read in batches: " + o.result().recording());
        assertTrue(o.result().recording().describe().contains("every step"), o.result().recording().describe());
    }

    @Test
    void aDivergenceInsideABatchRestoresTheSameParametersAsStepByStep() {
        Case c = new Case("gd on x2 at lr 1.1", rt -> new TestFunction(rt, Precision.FP64, "x2", 1), "gd:lr=1.1",
                Trainer.Options.steps(1000));
        DivergenceException one = assertThrows(DivergenceException.class, () -> run(c, 1));
        ClRuntime rt = TestDevices.runtime();
        double[] expected;
        try (Objective f = c.objective().apply(rt); Problem p = new Problem(f, ((TestFunction) f).start());
             Optimizer o = Optimizers.parse(c.optimizer())) {
            o.init(p);
            assertThrows(DivergenceException.class, () -> new Trainer().resume(p, o, c.options().readEvery(1),
                    new Trainer.Listener() { }));
            expected = p.readParams();
        }
        try (Objective f = c.objective().apply(rt); Problem p = new Problem(f, ((TestFunction) f).start());
             Optimizer o = Optimizers.parse(c.optimizer())) {
            o.init(p);
            DivergenceException batched = assertThrows(DivergenceException.class, () -> new Trainer().resume(p, o,
                    c.options().readEvery(0), new Trainer.Listener() { }));
            assertEquals(one.step(), batched.step(), "the same step trips the guard");
            assertEquals(one.loss(), batched.loss(), 0.0);
            assertArrayEquals(expected, p.readParams(), 0.0, "the same parameters are put back");
            assertEquals(one.history().rows().size(), batched.history().rows().size());
        }
        assertTrue(Double.isFinite(expected[0]));
    }

    @Test
    void recordingIsBookedUnderItsOwnPhase() {
        ClRuntime rt = TestDevices.runtime();
        try (Objective f = mlp(rt); Problem p = new Problem(f, f.initialParameters(new Random(1)));
             Optimizer o = Optimizers.parse("gd:lr=0.01")) {
            o.init(p);
            rt.finish();
            long before = rt.timer().totals().get(Phase.RECORD).operations();
            long updates = rt.timer().totals().get(Phase.UPDATE).operations();
            new Trainer().resume(p, o, Trainer.Options.steps(30).gradTolerance(1e-30), new Trainer.Listener() { });
            long record = rt.timer().totals().get(Phase.RECORD).operations() - before;
            assertTrue(record >= 30 * 2, "a snapshot and a norm per step: " + record);
            assertEquals(30, rt.timer().totals().get(Phase.UPDATE).operations() - updates, "update holds the optimizer only");
        }
    }

    @Test
    void theTargetIsReportedWithoutStoppingWhenOnlyMeasured() {
        Case c = new Case("gd", TrainerTest::line, "gd:lr=0.01", Trainer.Options.steps(300).measureTarget(12.0));
        Outcome o = run(c, 0);
        assertEquals(Trainer.Stop.STEPS, o.stop());
        assertEquals(300, o.steps());
        assertNotNull(o.target(), "reached 12.0");
        assertTrue(o.target().step() < 300 && o.target().loss() <= 12.0);
        assertTrue(o.target().wallS() > 0 && o.target().deviceS() > 0 && o.target().gradients() == o.target().step());
        Outcome never = run(new Case("gd", TrainerTest::line, "gd:lr=0.01", Trainer.Options.steps(50).measureTarget(1e-9)), 0);
        assertNull(never.target());
    }
}
