package io.descent.cli;

import io.descent.TestDevices;
import io.descent.data.Generators;
import io.descent.optim.Optimizers;
import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train, compare, trace and scenarios end to end through the picocli entry point, on the real device. */
class CommandsTest {
    @TempDir
    Path dir;

    static MainTest.Result run(String... args) {
        return MainTest.run(args);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(MainTest.Result r) {
        assertEquals(0, r.code(), r.err());
        return (Map<String, Object>) Json.parse(r.out());
    }

    static void assertPng(Path file) throws IOException {
        assertTrue(Files.exists(file), file + " written");
        BufferedImage img = ImageIO.read(file.toFile());
        assertTrue(img != null && img.getWidth() >= 600 && img.getHeight() >= 200, file + " is a readable PNG");
    }

    @Test
    @SuppressWarnings("unchecked")
    void oneNewtonStepOnSeed000RegressionGivesTheGeneratingWeights() {
        Map<String, Object> j = json(run("train", "--objective", "linear", "--data", "seed000-regression", "--rows", "20000",
                "--features", "10", "--optimizer", "newton", "--steps", "1", "--precision", "fp64", "--json"));
        double[] truth = Generators.seed000Regression(20000, 10, 42).trueWeights();
        Map<String, Object> coef = (Map<String, Object>) j.get("coefficients");
        assertEquals(11, coef.size());
        int i = 0;
        for (Object v : coef.values()) {
            assertEquals(truth[i], (Double) v, 1e-10 * Math.max(1, Math.abs(truth[i])), "coefficient " + i);
            i++;
        }
        assertTrue((Double) j.get("final_loss") < 1e-18, "y = X w exactly: " + j.get("final_loss"));
        Map<String, Object> counts = (Map<String, Object>) j.get("counts");
        assertEquals(2.0, counts.get("gradient"), "the step's gradient and the one at its result that shows it converged");
        assertEquals(1.0, counts.get("hessian"));
        for (String key : List.of("device", "objective", "optimizer", "precision", "steps", "final_loss", "params",
                "coefficients", "counts", "phases", "wall_s")) {
            assertTrue(j.containsKey(key), "train --json has " + key);
        }
        Map<String, Object> phases = (Map<String, Object>) j.get("phases");
        for (String p : List.of("gradient", "hessian", "solve", "update")) {
            assertTrue(((Double) ((Map<String, Object>) phases.get(p)).get("device_s")) > 0, p + " timed: " + phases);
        }
    }

    @Test
    void trainWritesHistoryJsonAndChartsAndSavedParamsRestart() throws IOException {
        Path out = dir.resolve("run");
        Path params = dir.resolve("params.json");
        MainTest.Result r = run("train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps", "30",
                "--out", out.toString(), "--save-params", params.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("phase") && r.out().contains("gradient") && r.out().contains("update"), r.out());
        assertTrue(r.out().contains("coefficients: intercept = "), r.out());
        List<String> csv = Files.readAllLines(out.resolve("history.csv"));
        assertEquals("step,loss,wall_s,device_s,gradients,losses", csv.get(0));
        assertEquals(31, csv.size(), "a row per step");
        assertPng(out.resolve("loss_vs_time.png"));
        assertPng(out.resolve("loss_vs_gradients.png"));
        assertTrue(Json.parse(Files.readString(out.resolve("run.json"))) instanceof Map);
        // --init FILE starts where the saved run stopped: its first loss is the saved run's final loss
        Map<String, Object> first = json(run("train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps", "30",
                "--json"));
        Map<String, Object> again = json(run("train", "--scenario", "line-100", "--optimizer", "gd:lr=0.01", "--steps", "1",
                "--init", params.toString(), "--out", dir.resolve("again").toString(), "--json"));
        List<String> h = Files.readAllLines(dir.resolve("again").resolve("history.csv"));
        double firstLoss = Double.parseDouble(h.get(1).split(",")[1]);
        assertEquals((Double) first.get("final_loss"), firstLoss, 0.0);
        assertTrue(again.containsKey("params"));
    }

    @Test
    void resumedRunsAreBitIdenticalToUninterruptedOnesForEveryOptimizer() {
        List<String> names = new ArrayList<>();
        Optimizers.names().forEach(names::add);
        assertFalse(names.isEmpty());
        for (String name : names) {
            String spec = resumeSpec(name);
            Path ckpt = dir.resolve(name + ".ckpt");
            String[] common = {"train", "--scenario", "line-100", "--optimizer", spec, "--json", "--no-progress"};
            Map<String, Object> whole = json(run(concat(common, "--steps", "12")));
            Map<String, Object> half = json(run(concat(common, "--steps", "6", "--checkpoint", ckpt.toString())));
            assertEquals(6.0, half.get("steps"));
            Map<String, Object> resumed = json(run(concat(common, "--steps", "12", "--resume", ckpt.toString())));
            assertEquals(12.0, resumed.get("steps"), name);
            assertEquals(whole.get("params"), resumed.get("params"), name + ": resume equals an uninterrupted run");
        }
    }

    /** Options that make every optimizer move on seed 001's line without diverging. */
    static String resumeSpec(String name) {
        switch (name) {
            case "gd": case "sgd": return name + ":lr=0.005";
            case "momentum": case "nesterov": return name + ":lr=0.005,momentum=0.5";
            case "adagrad": case "rmsprop": case "adam": case "adamw": return name + ":lr=0.1";
            // a partial step, so second-order methods are still moving at step 12 (a full step converges at once)
            case "newton": case "damped-newton": case "newton-cg": return name + ":lr=0.3";
            default: return name;
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    @SuppressWarnings("unchecked")
    void compareRunsEveryOptimizerOnEveryDeviceFromTheSameStart() throws IOException {
        String dev = Integer.toString(TestDevices.device().index());
        Path out = dir.resolve("cmp");
        MainTest.Result r = run("compare", "--scenario", "line-100", "--optimizers", "gd:lr=0.01,adam:lr=0.1",
                "--devices", dev + "," + dev, "--steps", "20", "--out", out.toString(), "--json");
        List<Object> runs = (List<Object>) Json.parse(r.out());
        assertEquals(0, r.code(), r.err());
        assertEquals(4, runs.size(), "2 optimizers x 2 devices");
        List<Object> gd = runs.stream().filter(x -> "gd:lr=0.01".equals(((Map<String, Object>) x).get("spec"))).toList();
        assertEquals(2, gd.size(), "runs are sorted by time to target; each keeps its spec");
        assertEquals(((Map<String, Object>) gd.get(0)).get("params"), ((Map<String, Object>) gd.get(1)).get("params"),
                "the same run on the same device twice gives the same result");
        assertPng(out.resolve("loss_vs_time.png"));
        assertPng(out.resolve("loss_vs_gradients.png"));
        assertPng(out.resolve("phases.png"));
        assertTrue(Files.readString(out.resolve("summary.csv")).startsWith("optimizer,device,stop,steps,final_loss"));
        MainTest.Result table = run("compare", "--scenario", "line-100", "--optimizers", "gd:lr=0.01,gd:lr=1e9",
                "--steps", "20", "--target-loss", "20");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("diverged at"), "a diverged run is a row: " + table.out());
        assertTrue(table.out().contains("gradient share") && table.out().contains("to target s"), table.out());
    }

    @Test
    void traceDrawsTrajectoriesToAPng() throws IOException {
        Path png = dir.resolve("trace.png");
        MainTest.Result r = run("trace", "--function", "quadratic2d", "--optimizers", "gd:lr=0.1,adam:lr=0.5",
                "--steps", "15", "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        assertPng(png);
        Path one = dir.resolve("x2.png");
        assertEquals(0, run("trace", "--function", "x2", "--optimizers", "gd:lr=0.2", "--out", one.toString()).code());
        assertPng(one);
        // seed 001: the (b, w) paths on the noisy line's loss, and the paths as CSV, one row per point
        Path line = dir.resolve("line.png");
        MainTest.Result l = run("trace", "--scenario", "line-100", "--optimizers", "gd:lr=0.01,adam:lr=0.5,newton",
                "--steps", "20", "--out", line.toString());
        assertEquals(0, l.code(), l.err());
        assertPng(line);
        List<String> csv = Files.readAllLines(dir.resolve("line.csv"));
        assertEquals("optimizer,step,x1,x2,loss", csv.get(0));
        assertEquals(1 + 21 + 21 + 2, csv.size(), "gd and adam: start + 20 points; newton converges in one step: " + csv);
        String[] gd1 = csv.get(2).split(",");
        assertTrue(Double.parseDouble(gd1[2]) != 0 || Double.parseDouble(gd1[3]) != 0, "the first step moved: " + csv.get(2));
        MainTest.Result wide = run("trace", "--scenario", "mlp-10k", "--steps", "2");
        assertEquals(2, wide.code());
        assertTrue(wide.err().contains("trace draws objectives with 1 or 2"), wide.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void logisticRegressionFromACsvHasAnInterceptUnlessToldAndBuildsAreTheirOwnPhase() throws IOException {
        Path csv = dir.resolve("two.csv");
        StringBuilder b = new StringBuilder("a,b,label\n");
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 300; i++) {
            double a = r.nextGaussian(), c = r.nextGaussian();
            b.append(a).append(',').append(c).append(',').append(r.nextDouble() < 1 / (1 + Math.exp(-(1.5 + a - c))) ? 1 : 0)
                    .append('\n');
        }
        Files.writeString(csv, b);
        Map<String, Object> with = json(run("train", "--objective", "logistic", "--csv", csv.toString(), "--optimizer",
                "newton", "--json", "--no-progress"));
        Map<String, Object> coef = (Map<String, Object>) with.get("coefficients");
        assertTrue(coef.containsKey("intercept"), "an intercept by default, as scikit-learn fits one: " + coef);
        assertTrue(with.containsKey("standard_errors"), "statistics by default for newton");
        Map<String, Object> without = json(run("train", "--objective", "logistic", "--csv", csv.toString(), "--optimizer",
                "newton", "--no-intercept", "--json", "--no-progress"));
        assertFalse(((Map<String, Object>) without.get("coefficients")).containsKey("intercept"));
        assertTrue((Double) without.get("final_loss") > (Double) with.get("final_loss"), "without it the optimum is worse");
        Map<String, Object> build = (Map<String, Object>) ((Map<String, Object>) with.get("phases")).get("build");
        assertTrue(((Number) build.get("operations")).longValue() >= 1, "the optimizer's programs, built in its init: " + build);
        assertEquals(0.0, ((Number) build.get("device_s")).doubleValue(), "a build is host time only");
        MainTest.Result table = run("train", "--objective", "logistic", "--csv", csv.toString(), "--optimizer", "newton",
                "--no-progress");
        assertTrue(table.out().contains("\nbuild "), "the phase table has a build row:\n" + table.out());
    }

    @Test
    void scenariosAreListed() {
        MainTest.Result r = run("scenarios");
        assertEquals(0, r.code());
        for (String s : List.of("linear-1m", "mlp-10k", "mlp-100k-wide", "mlp-100k-relu", "mlp-100k-linear", "line-100",
                "x2", "xcos", "cosh", "quadratic2d", "rosenbrock")) {
            assertTrue(r.out().contains(s), s);
        }
    }

    @Test
    void userErrorsExit2WithOneLineNamingTheValue() {
        expect2("unknown optimizer 'nosuch': choose one of", "train", "--scenario", "x2", "--optimizer", "nosuch");
        expect2("unknown scenario 'nosuch'", "train", "--scenario", "nosuch");
        expect2("lr = -1.0", "train", "--scenario", "x2", "--optimizer", "gd:lr=-1");
        expect2("has no option 'bogus'", "train", "--scenario", "x2", "--optimizer", "gd:bogus=1");
        expect2("does not exist", "train", "--csv", dir.resolve("missing.csv").toString(), "--optimizer", "gd");
        expect2("Unknown option: '--bogus'", "compare", "--bogus");
        expect2("unknown device 'nosuchgpu'", "compare", "--scenario", "x2", "--devices", "nosuchgpu");
        expect2("unknown schedule 'sometimes'", "train", "--scenario", "x2", "--schedule", "sometimes");
        expect2("unknown precision 'fp16'", "train", "--scenario", "x2", "--precision", "fp16");
    }

    static void expect2(String fragment, String... args) {
        MainTest.Result r = run(args);
        assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(fragment), "'" + fragment + "' in: " + r.err());
    }

    @Test
    void aNetworkTooWideForTheFusedKernelTrainsByLayers() {
        // 2 x 8000 hidden units (64M parameters): the fused kernel needed one partial-sum row of them per
        // work-group, about 4.1e9 values in one buffer, and failed with CL_MEM_OBJECT_ALLOCATION_FAILURE
        // (exit 3). Networks wider than the fused kernel's limit now run as layers (issue 24) and train.
        // The exit code 3 of a device failure is tested in ClRuntimeTest.
        // (no --json: it would print all 64M parameters)
        MainTest.Result r = run("train", "--objective", "mlp", "--data", "seed000-mlp", "--rows", "100",
                "--features", "20", "--layers", "8000,8000", "--optimizer", "gd", "--steps", "1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("64184001 parameters"), r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void gaussNewtonCurvatureIsSelectableForTheMlp() {
        Map<String, Object> exact = json(run("train", "--objective", "mlp", "--data", "seed000-mlp", "--rows", "200",
                "--features", "3", "--layers", "4", "--activation", "tanh", "--optimizer", "damped-newton", "--steps", "3",
                "--precision", "fp64", "--json"));
        Map<String, Object> gn = json(run("train", "--objective", "mlp", "--data", "seed000-mlp", "--rows", "200",
                "--features", "3", "--layers", "4", "--activation", "tanh", "--optimizer", "damped-newton", "--steps", "3",
                "--precision", "fp64", "--curvature", "gauss-newton", "--json"));
        assertFalse(exact.get("params").equals(gn.get("params")), "a different matrix gives different steps");
        Map<String, Object> start = json(run("train", "--objective", "mlp", "--data", "seed000-mlp", "--rows", "200",
                "--features", "3", "--layers", "4", "--activation", "tanh", "--optimizer", "damped-newton", "--steps", "0",
                "--precision", "fp64", "--json"));
        double initial = (Double) start.get("final_loss");
        assertTrue((Double) gn.get("final_loss") < 0.1 * initial, "three Gauss-Newton steps cut the loss tenfold: "
                + initial + " -> " + gn.get("final_loss"));
        assertTrue((Double) exact.get("final_loss") < initial, "exact-Hessian damped Newton never rises");
        expect2("unknown curvature 'hessian'", "train", "--objective", "mlp", "--curvature", "hessian", "--optimizer", "gd");
    }

    @Test
    @SuppressWarnings("unchecked")
    void divergenceExits4AfterWritingWhatItHas() throws IOException {
        Path out = dir.resolve("div");
        MainTest.Result r = run("train", "--scenario", "x2", "--optimizer", "gd:lr=1.1", "--steps", "200", "--out",
                out.toString(), "--json");
        assertEquals(4, r.code(), r.err());
        assertTrue(r.err().contains("diverged at step") && r.err().contains("learning rate 1.1"), r.err());
        Map<String, Object> j = (Map<String, Object>) Json.parse(r.out());
        assertEquals("diverged", j.get("stop"));
        double x = (Double) ((List<Object>) j.get("params")).get(0);
        assertTrue(Double.isFinite(x), "the last finite parameters are kept");
        assertTrue(Files.readAllLines(out.resolve("history.csv")).size() > 10, "the history so far is written");
    }
}
