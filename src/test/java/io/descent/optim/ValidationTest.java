package io.descent.optim;

import io.descent.TestDevices;
import io.descent.UsageException;
import io.descent.cl.ClRuntime;
import io.descent.cl.Precision;
import io.descent.profile.PhaseTotals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hyper-parameters are checked before any device work, with a user error (exit code 2) whose
 * message names the optimizer, the key and the bad value; the registry's parse errors list the
 * valid names and options; defaults and toString.
 */
class ValidationTest {
    /** Device work done so far: operations of every phase, and live device arrays. */
    private static long[] deviceWork(ClRuntime rt) {
        PhaseTotals t = rt.timer().totals();
        long ops = t.asMap().values().stream().mapToLong(s -> s.operations()).sum();
        return new long[]{ops, rt.liveArrays()};
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "gd:lr=0                              | lr = 0.0",
            "sgd:lr=-0.1                          | lr = -0.1",
            "adam:lr=-1                           | lr = -1.0",
            "adamw:lr=Infinity                    | lr = Infinity",
            "rmsprop:lr=NaN                       | lr = NaN",
            "adam:beta1=1                         | beta1 = 1.0",
            "adam:beta1=-0.1                      | beta1 = -0.1",
            "adamw:beta2=1.5                      | beta2 = 1.5",
            "adam:beta2=1                         | beta2 = 1.0",
            "rmsprop:rho=1                        | rho = 1.0",
            "adadelta:rho=-0.5                    | rho = -0.5",
            "momentum:momentum=1                  | momentum = 1.0",
            "nesterov:momentum=-0.2               | momentum = -0.2",
            "adam:eps=-1e-8                       | eps = -1.0E-8",
            "adagrad:eps=-1                       | eps = -1.0",
            "rmsprop:eps=-0.001                   | eps = -0.001",
            "adadelta:eps=-1e-6                   | eps = -1.0E-6",
            "adadelta:eps=0                       | eps = 0.0",
            "nesterov:momentum=0                  | momentum = 0.0 must be > 0 for nesterov",
            "sgd:batch=0                          | batch = 0",
            "momentum:batch=0                     | batch = 0",
            "adam:batch=-5                        | batch = -5",
            "sgd:batch=2.5                        | batch = 2.5",
            "gd:clip=-1                           | clip = -1.0",
            "adamw:weight_decay=-0.01             | weight_decay = -0.01",
            "sgd:seed=1.5                         | seed = 1.5",
    })
    void invalidHyperParametersFailBeforeAnyDeviceWork(String spec, String named) {
        ClRuntime rt = TestDevices.runtime();
        long[] before = deviceWork(rt);
        UsageException e = assertThrows(UsageException.class, () -> Optimizers.parse(spec));
        assertTrue(e.getMessage().contains(named), "'" + e.getMessage() + "' names '" + named + "'");
        assertEquals(2, e.exitCode());
        assertEquals(List.of(before[0], before[1]), List.of(deviceWork(rt)[0], deviceWork(rt)[1]), "no device work");
    }

    @Test
    void constructorsCheckToo() {
        assertThrows(UsageException.class, () -> new Adam(false, 0.1, 0.9, 0.999, 1e-8, 0.01, 0, 0, 0),
                "adam has no decoupled weight decay: that is adamw");
        UsageException e = assertThrows(UsageException.class, () -> new Sgd(Sgd.Variant.GD, 0.1, 0.5, 0, 0, 0));
        assertTrue(e.getMessage().contains("momentum = 0.5"), e.getMessage());
        e = assertThrows(UsageException.class, () -> new Sgd(Sgd.Variant.SGD, 0.1, 0, 0, 0, 0));
        assertTrue(e.getMessage().contains("batch = 0"), e.getMessage());
        e = assertThrows(UsageException.class, () -> new AdaGrad(0.1, 1e-10, -2, 0, 0));
        assertTrue(e.getMessage().contains("clip = -2.0"), e.getMessage());
    }

    @Test
    void batchLargerThanTheDataFailsAtInitBeforeAnyDeviceWork() {
        ClRuntime rt = TestDevices.runtime();
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse("sgd:batch=101")) {
            long[] before = deviceWork(rt);
            UsageException e = assertThrows(UsageException.class, () -> o.init(p));
            assertTrue(e.getMessage().contains("batch = 101") && e.getMessage().contains("100"), e.getMessage());
            long[] after = deviceWork(rt);
            assertEquals(before[0], after[0], "no launch or transfer");
            assertEquals(before[1], after[1], "no allocation");
        }
        try (Fixture f = Fixture.create("quadratic2d", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             Optimizer o = Optimizers.parse("adam:batch=1")) {
            long[] before = deviceWork(rt);
            UsageException e = assertThrows(UsageException.class, () -> o.init(p));
            assertTrue(e.getMessage().contains("batch = 1") && e.getMessage().contains("quadratic2d"), e.getMessage());
            assertEquals(before[1], deviceWork(rt)[1], "no allocation");
        }
    }

    @Test
    void batchEqualToTheDataIsOneBatchPerEpoch() {
        ClRuntime rt = TestDevices.runtime();
        try (Fixture f = Fixture.create("line", rt, Precision.FP32);
             Problem p = new Problem(f.objective, f.start());
             FirstOrder o = (FirstOrder) Optimizers.parse("sgd:batch=100")) {
            o.init(p);
            assertEquals(1, o.miniBatches().batchesPerEpoch());
        }
    }

    @Test
    void unknownNameListsTheValidNames() {
        UsageException e = assertThrows(UsageException.class, () -> Optimizers.parse("adamx:lr=0.1"));
        assertEquals("unknown optimizer 'adamx': choose one of gd, sgd, momentum, nesterov, adagrad, rmsprop, "
                + "adadelta, adam, adamw, keepstepping, keepvaulting, backtracking, lbfgs, newton, damped-newton, newton-cg", e.getMessage());
        List<String> names = StreamSupport.stream(Optimizers.names().spliterator(), false).toList();
        assertEquals(List.of("gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw",
                "keepstepping", "keepvaulting", "backtracking", "lbfgs", "newton", "damped-newton", "newton-cg"), names);
    }

    @Test
    void unknownOptionListsTheValidOptions() {
        UsageException e = assertThrows(UsageException.class, () -> Optimizers.parse("adam:momentum=0.9"));
        assertEquals("optimizer 'adam' has no option 'momentum': valid options are lr, clip, batch, seed, beta1, beta2, eps",
                e.getMessage());
        e = assertThrows(UsageException.class, () -> Optimizers.parse("gd:batch=10"));
        assertEquals("optimizer 'gd' has no option 'batch': valid options are lr, clip", e.getMessage());
        e = assertThrows(UsageException.class, () -> Optimizers.parse("sgd:momentum=0.9"));
        assertTrue(e.getMessage().contains("valid options are lr, clip, batch, seed"), e.getMessage());
        e = assertThrows(UsageException.class, () -> Optimizers.parse("adam:lr=fast"));
        assertEquals("optimizer 'adam': lr = 'fast' is not a number", e.getMessage());
        e = assertThrows(UsageException.class, () -> Optimizers.parse("adam:lr"));
        assertTrue(e.getMessage().contains("is not key=value"), e.getMessage());
    }

    @Test
    void namesAreCaseInsensitiveAndDashesAreUnderscores() {
        Adam a = (Adam) Optimizers.parse("AdamW:weight-decay=0.5");
        assertEquals(0.5, a.weightDecay());
        assertEquals("adamw", a.name());
    }

    @Test
    void defaultsAndToString() {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("gd", "gd(lr=0.01)"),
                Map.entry("sgd", "sgd(lr=0.01, batch=32, seed=0)"),
                Map.entry("momentum", "momentum(lr=0.01, momentum=0.9)"),
                Map.entry("nesterov", "nesterov(lr=0.01, momentum=0.9)"),
                Map.entry("adagrad", "adagrad(lr=0.5, eps=1.0E-10)"),
                Map.entry("rmsprop", "rmsprop(lr=0.01, rho=0.99, eps=1.0E-8)"),
                Map.entry("adadelta", "adadelta(lr=1.0, rho=0.9, eps=1.0E-6)"),
                Map.entry("adam", "adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1.0E-8)"),
                Map.entry("adamw", "adamw(lr=0.001, beta1=0.9, beta2=0.999, eps=1.0E-8, weight_decay=0.01)"),
                Map.entry("keepstepping", "keepstepping(lr=0.001, max_steps=20, scale_i=0.0, batched=false)"),
                Map.entry("keepvaulting", "keepvaulting(lr=0.001, max_steps=20, variant=parabola)"),
                Map.entry("backtracking", "backtracking(lr=1.0, c1=1.0E-4, shrink=0.5, max_evals=30, batched=false)"),
                Map.entry("lbfgs", "lbfgs(lr=1.0, history=10, line_search=wolfe, c1=1.0E-4, c2=0.9, max_evals=26)"),
                Map.entry("newton", "newton(lr=1.0, refine=false, condest=5)"),
                Map.entry("damped-newton", "damped-newton(lr=1.0, refine=false, condest=5, lambda=0.0, tau=0.001, up=10.0, "
                        + "down=10.0, max_tries=20)"),
                Map.entry("newton-cg", "newton-cg(lr=1.0, lambda=0.0, tau=0.001, up=1.5, down=1.5, max_cg=250, warm=true, "
                        + "decay=0.95, c1=1.0E-4, shrink=0.5, max_evals=8, rtol=0.0)"));
        for (String name : Optimizers.names()) {
            assertEquals(expected.get(name), Optimizers.parse(name).toString());
        }
        Optimizer o = Optimizers.parse("adam:lr=0.01,beta1=0.8,clip=2,batch=64,seed=9")
                .withSchedule(Schedule.parse("cosine:steps=100"));
        assertEquals("adam(lr=0.01, schedule=cosine(steps=100, min=0.0), beta1=0.8, beta2=0.999, eps=1.0E-8, clip=2.0, "
                + "batch=64, seed=9)", o.toString());
    }
}
