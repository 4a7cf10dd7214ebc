package io.descent.cli;

import io.descent.TestDevices;
import io.descent.cl.DeviceInfo;
import io.descent.report.Json;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end through picocli, on the real device. */
class MainTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void everyCommandsSummaryInTheHelpIsAWholeSentence() {
        Result r = run("--help");
        assertEquals(0, r.code());
        String list = r.out().substring(r.out().indexOf("Commands:"), r.out().indexOf("Exit codes:"));
        // summaries wrap onto indented lines; join them and check each ends its sentence
        String joined = list.replaceAll("\n {10,}", " ");
        for (String line : joined.split("\n")) {
            if (!line.startsWith("  ") || line.isBlank()) continue;
            assertTrue(line.strip().endsWith("."), "a summary cut mid-sentence: '" + line.strip() + "'");
        }
        assertTrue(joined.contains("compare    Compare optimizers"), joined);
    }

    @Test
    void everyHelpFormatsCleanly() {
        // picocli reports a description it cannot format (a lone '%') on System.err, not to the writers
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            java.util.ArrayDeque<List<String>> todo = new java.util.ArrayDeque<>(List.of(List.of()));
            int seen = 0;
            while (!todo.isEmpty()) {
                List<String> path = todo.pop();
                picocli.CommandLine c = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
                for (String name : path) c = c.getSubcommands().get(name);
                for (String sub : c.getSubcommands().keySet()) {
                    if (!sub.equals("help")) {
                        List<String> next = new java.util.ArrayList<>(path);
                        next.add(sub);
                        todo.push(next);
                    }
                }
                List<String> args = new java.util.ArrayList<>(path);
                args.add("--help");
                Result r = run(args.toArray(String[]::new));
                assertEquals(0, r.code(), path + ": " + r.err());
                seen++;
            }
            assertTrue(seen >= 10, seen + " commands");
        } finally {
            System.setErr(saved);
        }
        assertFalse(captured.toString().contains("picocli WARN"), captured.toString());
    }

    @Test
    void versionAndHelp() {
        Result v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("descent "), v.out());
        Result h = run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("devices"), h.out());
        assertTrue(h.out().contains("Exit codes"), h.out());
        Result dh = run("devices", "--help");
        assertEquals(0, dh.code());
        assertTrue(dh.out().contains("--device") && dh.out().contains("DESCENT_DEVICE"), dh.out());
    }

    @Test
    void devicesTableListsTheDeviceAndMarksTheSelection() {
        DeviceInfo d = TestDevices.device();
        Result r = run("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(d.name()), r.out());
        assertTrue(r.out().contains("fp64"), r.out());
        assertTrue(r.out().contains("* = selected: " + d.index() + ": " + d.name()), r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void devicesJsonHasEveryField() {
        Result r = run("devices", "--json", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> root = (Map<String, Object>) Json.parse(r.out());
        List<Object> platforms = (List<Object>) root.get("platforms");
        assertFalse(platforms.isEmpty());
        boolean sawCpu = false;
        for (Object p : platforms) {
            Map<String, Object> pm = (Map<String, Object>) p;
            assertTrue(pm.containsKey("name") && pm.containsKey("vendor") && pm.containsKey("version"));
            for (Object o : (List<Object>) pm.get("devices")) {
                Map<String, Object> dm = (Map<String, Object>) o;
                for (String key : List.of("index", "name", "vendor", "type", "opencl_version", "compute_units",
                        "max_work_group_size", "global_memory_bytes", "local_memory_bytes", "float64", "selected",
                        "tuning")) {
                    assertTrue(dm.containsKey(key), "device has " + key + ": " + dm);
                }
                if ("cpu".equals(dm.get("type")) && !sawCpu) {
                    sawCpu = true;
                    assertEquals(true, dm.get("float64"), "PoCL's CPU device has float64");
                    assertEquals(true, dm.get("selected"), "--device cpu selects the first CPU");
                    assertEquals(dm.get("index"), root.get("selected"));
                    Map<String, Object> tuning = (Map<String, Object>) dm.get("tuning");
                    assertEquals(TestDevices.runtime().deviceTuning().entryName(), tuning.get("entry"));
                    assertEquals(TestDevices.runtime().workGroupSize(),
                            ((Number) ((Map<String, Object>) tuning.get("values")).get("WGS")).intValue());
                }
            }
        }
        assertTrue(sawCpu, "a CPU device is listed");
    }

    @Test
    @SuppressWarnings("unchecked")
    void devicesCheckRunsKernelsOnTheDevice() {
        Result r = run("devices", "--check", "--json", "--device", Integer.toString(TestDevices.device().index()));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> root = (Map<String, Object>) Json.parse(r.out());
        Map<String, Object> p0 = (Map<String, Object>) ((List<Object>) root.get("platforms")).stream()
                .map(p -> (Map<String, Object>) p)
                .filter(p -> ((List<Object>) p.get("devices")).stream()
                        .anyMatch(d -> Boolean.TRUE.equals(((Map<String, Object>) d).get("selected"))))
                .findFirst().orElseThrow();
        Map<String, Object> dev = ((List<Object>) p0.get("devices")).stream().map(d -> (Map<String, Object>) d)
                .filter(d -> Boolean.TRUE.equals(d.get("selected"))).findFirst().orElseThrow();
        Map<String, Object> check = (Map<String, Object>) dev.get("check");
        assertEquals(true, check.get("ok"), String.valueOf(check));
        assertTrue(((Double) check.get("fp32_error")) < 1e-5, String.valueOf(check));
    }

    /** bench layers: every product of a small network's step, at its shape, with a rate and a share of the square GEMM's. */
    @Test
    @SuppressWarnings("unchecked")
    void benchLayersTimesEachProductOfAStep() {
        Result r = run("bench", "layers", "--network", "5,7,3", "--batches", "13", "--gemm", "64", "--repeats", "2",
                "--warmup", "1");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = (Map<String, Object>) io.descent.report.Json.parse(r.out());
        List<Map<String, Object>> products = (List<Map<String, Object>>) j.get("products");
        assertEquals(5, products.size(), "two products for the first layer, three for the second");
        Map<String, Object> dw = products.get(1);
        assertEquals(List.of(7L, 5L, 13L), List.of(((Number) dw.get("m")).longValue(), ((Number) dw.get("n")).longValue(),
                ((Number) dw.get("k")).longValue()), "dW = D' A: n_out x n_in over the block's rows");
        for (Map<String, Object> p : products) {
            assertTrue(((Number) p.get("gflops_device")).doubleValue() > 0, String.valueOf(p));
            assertTrue(((Number) p.get("share_of_square_gemm")).doubleValue() > 0, String.valueOf(p));
        }
    }

    @Test
    void benchToolsRefuseBadArgumentsWithExitCode2() {
        Result target = run("bench", "tune", "--target", "spline");
        assertEquals(2, target.code(), target.err());
        assertTrue(target.err().contains("unknown tuning target 'spline': linear, hessian, mlp, cholesky or gemm"), target.err());
        Result sweep = run("bench", "tune", "--sweep", "WGS=64 FOO=1,2");
        assertEquals(2, sweep.code(), sweep.err());
        assertTrue(sweep.err().contains("unknown key 'FOO'"), sweep.err());
        Result scen = run("bench", "roofline", "--scenarios", "xcos");
        assertEquals(2, scen.code(), scen.err());
        assertTrue(scen.err().contains("'xcos' is not an MLP scenario"), scen.err());
        Result rows = run("bench", "roofline", "--rows", "0");
        assertEquals(2, rows.code(), rows.err());
        assertTrue(rows.err().contains("--rows 0: must be at least 1"), rows.err());
        // n x n matrices past one Java array's length: refused up front, not an index overflow later
        Result chol = run("bench", "roofline", "--cholesky", "256,50000");
        assertEquals(2, chol.code(), chol.err());
        assertTrue(chol.err().contains("--cholesky 50000: an n x n matrix of 2500000000 values is more than one "
                + "Java array holds; use n <= 46340"), chol.err());
        Result gemm = run("bench", "roofline", "--gemm", "46341");
        assertEquals(2, gemm.code(), gemm.err());
        assertTrue(gemm.err().contains("--gemm 46341: an n x n matrix"), gemm.err());
        Result tune = run("bench", "tune", "--target", "cholesky", "--size", "100000");
        assertEquals(2, tune.code(), tune.err());
        assertTrue(tune.err().contains("--size 100000: an n x n matrix of 10000000000 values"), tune.err());
        Result net = run("bench", "layers", "--network", "784,wide,10");
        assertEquals(2, net.code(), net.err());
        assertTrue(net.err().contains("--network 784,wide,10: give widths as numbers"), net.err());
        for (String b : new String[]{"newton", "optimizers", "objectives", "roofline", "tune", "layers"}) {
            Result runs = run("bench", b, "--repeats", "0");
            assertEquals(2, runs.code(), b + ": " + runs.err());
            assertTrue(runs.err().contains("--repeats 0 and --warmup"), runs.err());
        }
    }

    @Test
    void anUnwritableOutputIsRefusedBeforeAnyWork(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // paths under a plain file: unwritable for every user, root included
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("plain"), "x");
        String under = file.resolve("x").toString();
        String[][] cases = {
                {"--save-params", "train", "--scenario", "line-100", "--steps", "2", "--save-params", under},
                {"--checkpoint", "train", "--scenario", "line-100", "--steps", "2", "--checkpoint", under},
                {"--out", "train", "--scenario", "line-100", "--steps", "2", "--out", under},
                {"--out", "compare", "--scenario", "line-100", "--steps", "2", "--out", under},
                {"--out", "trace", "--function", "xcos", "--steps", "2", "--out", under + ".png"},
                {"--out", "race", "--scenarios", "line-100", "--out", under},
                {"--out", "convert", file.toString(), "--out", under},
                {"--save-params", "train", "--scenario", "line-100", "--steps", "2", "--save-params", dir.toString()},
        };
        for (String[] c : cases) {
            Result r = run(java.util.Arrays.copyOfRange(c, 1, c.length));
            String what = String.join(" ", java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.code(), what + ": " + r.err());
            assertTrue(r.err().contains(c[0] + " "), what + ": " + r.err());
            assertTrue(r.err().contains("cannot write there") || r.err().contains("that is a directory"), what + ": " + r.err());
            assertTrue(!r.err().contains("internal error") && !r.err().contains("note:"), what + ": " + r.err());
            assertEquals("", r.out(), what + ": nothing ran");
        }
    }

    @Test
    void ioMessagesCarryTheReason() {
        assertEquals("writing /x/a.json: /x/.a.tmp: permission denied", Main.ioMessage(new java.io.UncheckedIOException(
                "writing /x/a.json: /x/.a.tmp", new java.nio.file.AccessDeniedException("/x/.a.tmp"))));
        assertEquals("writing /x/a.json: /x: no such file or directory", Main.ioMessage(new java.io.UncheckedIOException(
                "writing /x/a.json: /x", new java.nio.file.NoSuchFileException("/x"))));
        assertEquals("writing b: No space left on device", Main.ioMessage(new java.io.UncheckedIOException(
                "writing b: No space left on device", new java.io.IOException("No space left on device"))));
    }

    @Test
    void unknownOptionIsOneLineAndExitCode2() {
        Result r = run("devices", "--bogus");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.err());
        Result c = run("nosuchcommand");
        assertEquals(2, c.code());
        assertEquals(1, c.err().strip().lines().count(), c.err());
    }

    @Test
    void unknownDeviceListsTheDevicesAndExitCode2() {
        Result r = run("devices", "--device", "no-such-gpu");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
        assertTrue(r.err().contains("unknown device 'no-such-gpu'"), r.err());
        assertTrue(r.err().contains(TestDevices.device().name()), "lists devices: " + r.err());
        Result verbose = run("devices", "--device", "no-such-gpu", "--verbose");
        assertEquals(2, verbose.code());
        assertTrue(verbose.err().contains("at io.descent"), "--verbose shows the stack trace");
    }
}
