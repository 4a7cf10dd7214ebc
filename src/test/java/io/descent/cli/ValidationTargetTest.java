package io.descent.cli;

import io.descent.report.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compare --target-on validation: the time to target is that of the first step whose parameters
 * have a held-out loss at or below the target (MLCommons AlgoPerf's measure), not a training loss.
 */
class ValidationTargetTest {
    static final String[] COMPARE = {"compare", "--objective", "linear", "--data", "seed000-regression", "--rows", "2000",
            "--optimizers", "gd:lr=0.1,adam:lr=0.1", "--steps", "300", "--precision", "fp64", "--validation", "0.25",
            "--no-progress", "--json"};

    @Test
    @SuppressWarnings("unchecked")
    void theTargetIsReachedWhereTheValidationLossFirstMeetsIt() {
        double target = 0.05;
        MainTest.Result r = MainTest.run(CommandsTest.concat(COMPARE, "--target-on", "validation", "--target-loss",
                Double.toString(target)));
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> runs = (List<Map<String, Object>>) Json.parse(r.out());
        assertEquals(2, runs.size());
        for (Map<String, Object> run : runs) {
            assertEquals("validation", run.get("target_on"));
            List<List<Number>> losses = (List<List<Number>>) ((Map<String, Object>) run.get("validation")).get("losses");
            assertEquals(300, losses.size(), "a held-out loss after every step");
            long first = -1;
            for (List<Number> l : losses) {
                if (l.get(1).doubleValue() <= target) {
                    first = l.get(0).longValue();
                    break;
                }
            }
            assertTrue(first > 0, "the run reaches the target: " + run.get("spec"));
            assertEquals((double) first, ((Number) run.get("steps_to_target")).doubleValue(), run.get("spec") + "");
            assertTrue(((Number) run.get("time_to_target_s")).doubleValue() > 0);
        }
        // on the training loss (the default) the steps differ: the training loss is that before a step
        MainTest.Result t = MainTest.run(CommandsTest.concat(COMPARE, "--target-loss", Double.toString(target)));
        assertEquals(0, t.code(), t.err());
        for (Map<String, Object> run : (List<Map<String, Object>>) Json.parse(t.out())) {
            assertEquals("training", run.get("target_on"));
        }
    }

    @Test
    void whatCannotBeTimedOnTheValidationLossIsRefused() {
        String[] base = {"compare", "--objective", "linear", "--data", "seed000-regression", "--steps", "3", "--no-progress"};
        MainTest.Result noRows = MainTest.run(CommandsTest.concat(base, "--target-on", "validation", "--target-loss", "1"));
        assertEquals(2, noRows.code(), noRows.err());
        assertTrue(noRows.err().contains("needs held-out rows"), noRows.err());
        MainTest.Result noTarget = MainTest.run(CommandsTest.concat(base, "--target-on", "validation", "--validation", "0.2"));
        assertEquals(2, noTarget.code(), noTarget.err());
        assertTrue(noTarget.err().contains("--target-loss"), noTarget.err());
        MainTest.Result bad = MainTest.run(CommandsTest.concat(base, "--target-on", "test"));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--target-on test"), bad.err());
    }
}
