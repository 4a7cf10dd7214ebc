package io.descent.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No compiler inside a timed step: a driver may compile a kernel's work-group function at the first
 * launch of each work-group size (PoCL does, after clBuildProgram has returned), so on a new machine
 * the first comparison would rank compilers. Every run is rehearsed first, and reports the launch
 * shapes its timed part still met for the first time; these must be none, for every optimizer and
 * objective, so that a fresh machine ranks optimizers as a warm one does. (That the times then agree
 * is measured, not asserted: benchmarks/fresh.)
 */
class FirstRunTest {
    private static final String ALL = "gd,sgd:batch=100,momentum:batch=100,nesterov:batch=100,adagrad:batch=100,"
            + "rmsprop:batch=100,adadelta:batch=100,adam:batch=100,adamw:batch=100,keepstepping,keepvaulting,"
            + "backtracking,lbfgs,newton,damped-newton,newton-cg";

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> compare(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "compare";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--json";
        all[args.length + 2] = "--no-progress";
        MainTest.Result r = MainTest.run(all);
        assertEquals(0, r.code(), r.err());
        return (List<Map<String, Object>>) io.descent.report.Json.parse(r.out());
    }

    private static void noLateShapes(List<Map<String, Object>> runs, int expected) {
        assertEquals(expected, runs.size());
        for (Map<String, Object> run : runs) {
            assertEquals(0.0, ((Number) run.get("late_launch_shapes")).doubleValue(),
                    run.get("spec") + " met launch shapes inside its timed run: " + run.get("late_launch_shape_list"));
            assertTrue(((Number) run.get("rehearsal_s")).doubleValue() > 0, run.get("spec") + " was rehearsed");
            assertTrue(((Number) run.get("build_s")).doubleValue() >= ((Number) run.get("rehearsal_s")).doubleValue(),
                    "the rehearsal is charged to build");
        }
    }

    @Test
    void theDefaultComparisonMeetsEveryLaunchShapeBeforeTheClock() {
        noLateShapes(compare("--scenario", "mlp-10k", "--rows", "1003", "--steps", "40"), 10);
    }

    @Test
    void everyOptimizerOnLinearAndLogisticModelsWithALastSmallerBatch() {
        // 1003 rows in batches of 100: each epoch ends with a batch of 3
        noLateShapes(compare("--objective", "linear", "--data", "seed000-regression", "--rows", "1003", "--features", "7",
                "--optimizers", ALL, "--steps", "25"), 16);
        noLateShapes(compare("--objective", "logistic", "--data", "two-class", "--rows", "1003", "--features", "7",
                "--optimizers", ALL, "--steps", "25"), 16);
    }

    @Test
    void secondOrderMethodsOnANetwork() {
        noLateShapes(compare("--objective", "mlp", "--data", "seed000-mlp", "--rows", "503", "--features", "5",
                "--layers", "4,3", "--activation", "tanh", "--optimizers", "newton-cg,lbfgs,damped-newton,keepvaulting",
                "--steps", "8"), 4);
    }

    @Test
    void withoutARehearsalTheFirstRunMeetsItsShapesInsideTheClock() {
        List<Map<String, Object>> runs = compare("--scenario", "line-100", "--optimizers", "lbfgs", "--steps", "5",
                "--rehearse", "0");
        double late = ((Number) runs.get(0).get("late_launch_shapes")).doubleValue();
        assertTrue(late > 0, "the first run of a runtime launches its kernels inside the timed run");
        assertEquals(0.0, ((Number) runs.get(0).get("rehearsal_s")).doubleValue());
    }
}
