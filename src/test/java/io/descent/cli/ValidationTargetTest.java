package io.descent.cli;

import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compare --target-on validation: the time to target is that of the first step whose parameters
 * have a held-out loss at or below the target (MLCommons AlgoPerf's measure), not a training loss.
 */
class ValidationTargetTest {
    @TempDir
    Path dir;

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

    /**
     * Without --target-loss the target is v* + 1e-4 (v0 - v*), v* the held-out loss of the training
     * optimum: one Newton step reaches the least-squares optimum, so it reaches the target at step 1.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theAutomaticTargetIsTheHeldOutLossOfTheTrainingOptimum() {
        MainTest.Result r = MainTest.run("compare", "--scenario", "line-100", "--optimizers", "newton,lbfgs", "--steps",
                "400", "--precision", "fp64", "--validation", "0.2", "--target-on", "validation", "--no-progress", "--json");
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> runs = (List<Map<String, Object>>) Json.parse(r.out());
        Map<String, Object> newton = runs.stream().filter(m -> m.get("spec").equals("newton")).findFirst().orElseThrow();
        Map<String, Object> gd = runs.stream().filter(m -> m.get("spec").equals("lbfgs")).findFirst().orElseThrow();
        double target = ((Number) newton.get("target_loss")).doubleValue();
        assertEquals(target, ((Number) gd.get("target_loss")).doubleValue(), 0, "one target for every optimizer");
        assertEquals(1.0, ((Number) newton.get("steps_to_target")).doubleValue(), "Newton's step is the optimum");
        List<List<Number>> val = (List<List<Number>>) ((Map<String, Object>) newton.get("validation")).get("losses");
        double atOptimum = val.get(0).get(1).doubleValue();
        // "T on the validation loss = v* + 1e-4 (v0 - v*), v0 = A, v* = B (the held-out loss of the training optimum ...)"
        String how = (String) newton.get("target");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("v0 = ([-0-9.e+]+), v\\* = ([-0-9.e+]+) \\(the held-out loss of "
                + "the training optimum").matcher(how);
        assertTrue(m.find(), how);
        double v0 = Double.parseDouble(m.group(1)), vStar = Double.parseDouble(m.group(2));
        assertEquals(atOptimum, vStar, 1e-5 * vStar, "v* is the held-out loss where Newton's step lands: " + how);
        assertEquals(vStar + 1e-4 * (v0 - vStar), target, 1e-5 * target, how);
        assertTrue(atOptimum <= target, atOptimum + " vs " + target);
        assertTrue(((Number) gd.get("steps_to_target")).doubleValue() > 1, "L-BFGS gets there later");
        // the text output says what the target is
        MainTest.Result text = MainTest.run("compare", "--scenario", "line-100", "--optimizers", "newton", "--precision", "fp64",
                "--validation", "0.2", "--target-on", "validation", "--no-progress");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("on the validation loss") && text.out().contains("held-out loss of the training optimum"),
                text.out());
    }

    /** race and the tuned compare time trials to the validation target too. */
    @Test
    @SuppressWarnings("unchecked")
    void raceAndTunedCompareTimeToTheValidationTarget() {
        Path out = dir.resolve("race");
        MainTest.Result r = MainTest.run("race", "--scenarios", "line-100", "--optimizers", "newton,gd", "--tune",
                "gd:lr=0.05,0.2", "--target-on", "validation", "--precision", "fp64", "--out", out.toString(), "--no-progress",
                "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = (Map<String, Object>) Json.parse(r.out());
        assertEquals("validation", j.get("target_on"));
        assertEquals(3L, ((Number) j.get("trials_done")).longValue());
        Map<String, Object> newton = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) j.get("tuned"))
                .get("line-100")).get("newton");
        assertEquals(1L, ((Number) newton.get("reached")).longValue(), "Newton reaches the held-out loss of the optimum");
        MainTest.Result c = MainTest.run("compare", "--scenario", "line-100", "--optimizers", "gd", "--tune", "lr=0.05,0.2",
                "--validation", "0.2", "--target-on", "validation", "--precision", "fp64", "--no-progress", "--json");
        assertEquals(0, c.code(), c.err());
        List<Map<String, Object>> trials = (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(c.out())).get("trials");
        assertEquals(2, trials.size());
        for (Map<String, Object> t : trials) {
            assertEquals("validation", t.get("target_on"));
            assertTrue(String.valueOf(t.get("target")).contains("on the validation loss"), String.valueOf(t.get("target")));
        }
    }

    @Test
    void whatCannotBeTimedOnTheValidationLossIsRefused() {
        String[] base = {"compare", "--objective", "linear", "--data", "seed000-regression", "--steps", "3", "--no-progress"};
        MainTest.Result noRows = MainTest.run(CommandsTest.concat(base, "--target-on", "validation", "--target-loss", "1"));
        assertEquals(2, noRows.code(), noRows.err());
        assertTrue(noRows.err().contains("needs held-out rows"), noRows.err());
        MainTest.Result function = MainTest.run("race", "--scenarios", "line-100,x2", "--target-on", "validation", "--out",
                dir.resolve("refused").toString(), "--no-progress");
        assertEquals(2, function.code(), function.err());
        assertTrue(function.err().contains("x2 is a test function"), function.err());
        MainTest.Result share = MainTest.run("race", "--scenarios", "line-100", "--target-on", "validation", "--validation",
                "1.5", "--out", dir.resolve("share").toString(), "--no-progress");
        assertEquals(2, share.code(), share.err());
        assertTrue(share.err().contains("--validation 1.5"), share.err());
        MainTest.Result bad = MainTest.run(CommandsTest.concat(base, "--target-on", "test"));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--target-on test"), bad.err());
    }
}
