package io.descent.cli;

import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code descent race} and the tuned {@code compare}: the protocol's outputs, resuming, and bad input. */
class RaceCommandTest {
    @TempDir
    Path dir;

    private static final String[] SMALL = {"race", "--scenarios", "x2,quadratic2d", "--optimizers", "gd,newton",
            "--tune", "lr=0.1,1", "--repeats", "2", "--no-progress"};

    private MainTest.Result race(Path out, String... more) {
        String[] args = new String[SMALL.length + 2 + more.length];
        System.arraycopy(SMALL, 0, args, 0, SMALL.length);
        args[SMALL.length] = "--out";
        args[SMALL.length + 1] = out.toString();
        System.arraycopy(more, 0, args, SMALL.length + 2, more.length);
        return MainTest.run(args);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRaceReportsTunedTimesAProfileAndItsScore() throws IOException {
        Path out = dir.resolve("race");
        MainTest.Result r = race(out, "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = (Map<String, Object>) Json.parse(r.out());
        assertEquals(List.of("x2", "quadratic2d"), j.get("workloads"));
        assertEquals(16L, ((Number) j.get("trials_done")).longValue(), "2 workloads x 2 optimizers x 2 lrs x 2 seeds");
        Map<String, Object> profile = (Map<String, Object>) j.get("profile");
        for (String o : List.of("gd", "newton")) {
            double score = ((Number) ((Map<String, Object>) profile.get(o)).get("score")).doubleValue();
            assertTrue(score >= 0 && score <= 1, o + " score " + score);
        }
        Map<String, Object> x2 = (Map<String, Object>) ((Map<String, Object>) j.get("tuned")).get("x2");
        Map<String, Object> newton = (Map<String, Object>) x2.get("newton");
        assertEquals(Map.of("lr", "1"), newton.get("config"), "Newton's natural step is tuned in");
        assertEquals(2L, ((Number) newton.get("reached")).longValue());
        assertTrue(newton.get("time_to_target_median_s") instanceof Number);
        List<String> csv = Files.readAllLines(out.resolve("tuning.csv"));
        assertEquals(1 + 2 * 2 * 2, csv.size(), "a line per workload, optimizer and configuration: " + csv);
        assertTrue(csv.get(0).startsWith("workload,optimizer,config,seeds,reached,time_to_target_median_s"));
        for (String png : List.of("performance_profile.png", "lr_sensitivity_x2.png", "loss_vs_time_quadratic2d.png")) {
            CommandsTest.assertPng(out.resolve(png));
        }
        try (Stream<Path> files = Files.list(out.resolve("trials").resolve("x2"))) {
            assertEquals(8, files.count(), "one file per trial");
        }
        Map<String, Object> trial = (Map<String, Object>) Json.parse(Files.readString(
                out.resolve("trials").resolve("x2").resolve("newton__lr=1__seed1.json")));
        assertEquals(43L, ((Number) trial.get("seed")).longValue());
        for (String k : List.of("target_loss", "time_to_target_s", "device_to_target_s", "gradients_to_target", "history")) {
            assertTrue(trial.containsKey(k), k + " in " + trial.keySet());
        }
        assertTrue(List.of("target", "converged").contains(trial.get("stop")), "a race trial stops at its target (or"
                + " where Newton knows it has converged): " + trial.get("stop"));
    }

    @Test
    void aRaceResumesFromItsTrials() throws IOException {
        Path out = dir.resolve("resume");
        MainTest.Result none = race(out, "--budget", "1e-9");
        assertEquals(0, none.code(), none.err());
        assertTrue(none.err().contains("0 of 16 trials done") && none.err().contains("rerun"), none.err());
        assertEquals(0, race(out).code());
        Map<Path, FileTime> times = new HashMap<>();
        try (Stream<Path> files = Files.walk(out.resolve("trials"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) times.put(f, Files.getLastModifiedTime(f));
        }
        assertEquals(16, times.size());
        MainTest.Result again = race(out);
        assertEquals(0, again.code(), again.err());
        for (Map.Entry<Path, FileTime> e : times.entrySet()) {
            assertEquals(e.getValue(), Files.getLastModifiedTime(e.getKey()), "not run again: " + e.getKey());
        }
        assertTrue(again.out().contains("16 of 16 trials"), again.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTunedComparisonListsEveryTrialAndKeepsTheFastest() throws IOException {
        Path out = dir.resolve("tuned");
        MainTest.Result r = MainTest.run("compare", "--scenario", "line-100", "--optimizers", "gd,adam", "--tune", "lr=0.003..0.3:3",
                "--repeats", "2", "--json", "--no-progress", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = (Map<String, Object>) Json.parse(r.out());
        List<Object> trials = (List<Object>) j.get("trials");
        assertEquals(2 * 3 * 2, trials.size());
        for (Object o : trials) {
            Map<String, Object> t = (Map<String, Object>) o;
            assertTrue(((Map<String, Object>) t.get("config")).containsKey("lr"), t.toString());
            assertTrue(t.containsKey("time_to_target_s") && t.containsKey("gradients_to_target"), t.keySet().toString());
        }
        CommandsTest.assertPng(out.resolve("lr_sensitivity.png"));
        CommandsTest.assertPng(out.resolve("loss_vs_time.png"));
        assertTrue(Files.readString(out.resolve("tuning.csv")).lines().count() == 1 + 2 * 3);
        MainTest.Result table = MainTest.run("compare", "--scenario", "line-100", "--optimizers", "gd,adam", "--tune",
                "lr=0.003..0.3:3", "--no-progress");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("to target s (median)") && table.out().contains("tuned"), table.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyComparisonReportsTimeToTheScenariosTargetSortedByIt() {
        MainTest.Result r = MainTest.run("compare", "--scenario", "quadratic2d", "--json", "--no-progress");
        assertEquals(0, r.code(), r.err());
        List<Object> runs = (List<Object>) Json.parse(r.out());
        double last = 0;
        boolean missed = false;
        for (Object o : runs) {
            Map<String, Object> run = (Map<String, Object>) o;
            assertTrue(((Number) run.get("target_loss")).doubleValue() > 0, run.toString());
            Object t = run.get("time_to_target_s");
            if (t == null) {
                missed = true;
                assertNull(run.get("gradients_to_target"));
                continue;
            }
            assertTrue(!missed, "runs that missed come last");
            double v = ((Number) t).doubleValue();
            assertTrue(v >= last, "sorted by time to target");
            last = v;
            assertTrue(((Number) run.get("device_to_target_s")).doubleValue() > 0);
            assertTrue(((Map<String, Object>) run.get("recording")).get("read_batch") instanceof Number);
        }
        MainTest.Result table = MainTest.run("compare", "--scenario", "quadratic2d", "--no-progress");
        assertTrue(table.out().contains("target: ") && table.out().contains("losses recorded every step"), table.out());
        MainTest.Result given = MainTest.run("compare", "--scenario", "quadratic2d", "--target-loss", "0.5", "--json",
                "--no-progress");
        assertEquals(0.5, ((Number) ((Map<String, Object>) ((List<Object>) Json.parse(given.out())).get(0))
                .get("target_loss")).doubleValue());
    }

    @Test
    void badRaceInputIsAUserError() {
        for (String[] args : new String[][]{{"race", "--scenarios", "x2", "--out", dir.toString(), "--tune", "lr=1..2"},
                {"race", "--scenarios", "nosuch", "--out", dir.toString()},
                {"race", "--scenarios", "x2", "--out", dir.toString(), "--repeats", "0"},
                {"race", "--scenarios", "x2"},
                {"compare", "--scenario", "x2", "--tune", "lr=abc", "--no-progress"},
                {"compare", "--scenario", "x2", "--tune", "lr=0.1", "--devices", "0,0", "--no-progress"}}) {
            MainTest.Result r = MainTest.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        }
    }
}
