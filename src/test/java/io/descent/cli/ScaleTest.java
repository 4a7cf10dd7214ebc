package io.descent.cli;

import io.descent.data.NpyWriter;
import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data larger than the device or the heap, and several devices: streaming, .npy, convert, data parallel. */
class ScaleTest {
    @TempDir
    Path dir;

    /** A CSV of y = 1 + 3a - 2b + c/2 + noise. */
    private Path csv(int rows) throws IOException {
        Path f = dir.resolve("d.csv");
        StringBuilder b = new StringBuilder("a,b,c,y\n");
        Random r = new Random(1);
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian(), c2 = r.nextGaussian(), c = r.nextGaussian();
            b.append(a).append(',').append(c2).append(',').append(c).append(',')
                    .append(1 + 3 * a - 2 * c2 + 0.5 * c + 0.1 * r.nextGaussian()).append('\n');
        }
        Files.writeString(f, b);
        return f;
    }

    @SuppressWarnings("unchecked")
    private static List<Double> params(MainTest.Result r) {
        assertEquals(0, r.code(), r.err());
        return (List<Double>) ((Map<String, Object>) Json.parse(r.out())).get("params");
    }

    private static void same(List<Double> a, List<Double> b, double rel, String what) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i), b.get(i), rel * Math.max(1, Math.abs(a.get(i))), what + " parameter " + i);
        }
    }

    @Test
    void streamingThroughASmallDeviceMemoryTrainsAsInMemory() throws IOException {
        Path f = csv(20_000);
        String[] common = {"train", "--csv", f.toString(), "--target", "y", "--precision", "fp64", "--json", "--no-progress"};
        for (String opt : new String[]{"gd:lr=0.1", "sgd:lr=0.05,batch=500,seed=2", "lbfgs", "newton"}) {
            List<Double> whole = params(MainTest.run(CommandsTest.concat(common, "--optimizer", opt, "--steps", "25")));
            MainTest.Result s = MainTest.run(CommandsTest.concat(common, "--optimizer", opt, "--steps", "25",
                    "--device-memory", "256K"));
            assertTrue(s.err().contains("streaming 20000 rows") && s.err().contains("chunks of"), s.err());
            same(whole, params(s), 1e-10, opt + ", streamed");
        }
        MainTest.Result bad = MainTest.run("train", "--csv", f.toString(), "--device-memory", "lots", "--no-progress");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--device-memory = 'lots' is not a size"), bad.err());
    }

    @Test
    void convertWritesNpyThatTrainsAsTheCsvDoes() throws IOException {
        Path f = csv(3000);
        MainTest.Result c = MainTest.run("convert", f.toString(), "--target", "y", "--out", dir.resolve("npy").toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("3000 x 3"), c.out());
        byte[] head = Files.readAllBytes(dir.resolve("npy").resolve("X.npy"));
        assertEquals((byte) 0x93, head[0]);
        String header = new String(head, 10, 118, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'shape': (3000, 3)") && header.contains("'<f8'"), header);
        List<Double> fromCsv = params(MainTest.run("train", "--csv", f.toString(), "--target", "y", "--optimizer", "newton",
                "--precision", "fp64", "--json", "--no-progress"));
        List<Double> fromNpy = params(MainTest.run("train", "--npy", dir.resolve("npy/X.npy").toString(), "--npy-target",
                dir.resolve("npy/y.npy").toString(), "--optimizer", "newton", "--precision", "fp64", "--json", "--no-progress"));
        same(fromCsv, fromNpy, 1e-12, "npy against csv");
        // standardised from a Welford pass over the mapping: the same model on the original scale
        Map<String, Object> plain = coefficients(MainTest.run("train", "--npy", dir.resolve("npy/X.npy").toString(),
                "--npy-target", dir.resolve("npy/y.npy").toString(), "--optimizer", "newton", "--precision", "fp64", "--json",
                "--no-progress"));
        Map<String, Object> std = coefficients(MainTest.run("train", "--npy", dir.resolve("npy/X.npy").toString(),
                "--npy-target", dir.resolve("npy/y.npy").toString(), "--standardize", "--optimizer", "newton", "--precision",
                "fp64", "--json", "--no-progress"));
        assertEquals(plain.keySet(), std.keySet());
        for (String k : plain.keySet()) {
            assertEquals(((Number) plain.get(k)).doubleValue(), ((Number) std.get(k)).doubleValue(), 1e-9, "coefficient " + k);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> coefficients(MainTest.Result r) {
        assertEquals(0, r.code(), r.err());
        return (Map<String, Object>) ((Map<String, Object>) Json.parse(r.out())).get("coefficients");
    }

    /** float32 in Fortran order: the device's own layout, streamed with no unpacking; numpy's bytes, the CSV's values. */
    @Test
    void convertToFloat32FortranOrderStreamsAsItLies() throws IOException {
        Path f = csv(5000);
        Path npy = dir.resolve("f4");
        MainTest.Result c = MainTest.run("convert", f.toString(), "--target", "y", "--out", npy.toString(), "--dtype",
                "float32", "--order", "F");
        assertEquals(0, c.code(), c.err());
        io.descent.data.Dataset d = io.descent.data.CsvReader.read(f, io.descent.data.CsvReader.Options.DEFAULTS.withTarget("y"));
        io.descent.data.NpySource src = io.descent.data.NpySource.open(npy.resolve("X.npy"), npy.resolve("y.npy"), false, false);
        java.nio.ByteBuffer bx = java.nio.ByteBuffer.allocateDirect(4 * 5000 * 3).order(java.nio.ByteOrder.nativeOrder());
        java.nio.ByteBuffer by = java.nio.ByteBuffer.allocateDirect(4 * 5000).order(java.nio.ByteOrder.nativeOrder());
        src.fill(0, 5000, 5000, io.descent.cl.Precision.FP32, bx, by);
        for (int i = 0; i < 5000; i += 7) {
            for (int j = 0; j < 3; j++) assertEquals((float) d.x()[i * 3 + j], bx.getFloat(4 * (j * 5000 + i)), "x " + i + "," + j);
            assertEquals((float) d.y()[i], by.getFloat(4 * i), "y " + i);
        }
        String header = new String(Files.readAllBytes(npy.resolve("X.npy")), 10, 118, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'<f4'") && header.contains("'fortran_order': True"), header);
        String[] common = {"train", "--npy", npy.resolve("X.npy").toString(), "--npy-target", npy.resolve("y.npy").toString(),
                "--optimizer", "gd:lr=0.2", "--steps", "20", "--json", "--no-progress"};
        List<Double> whole = params(MainTest.run(common));
        MainTest.Result s = MainTest.run(CommandsTest.concat(common, "--device-memory", "64K"));
        assertTrue(s.err().contains("streaming 5000 rows"), s.err());
        same(whole, params(s), 1e-5, "float32 Fortran order, streamed");
        MainTest.Result bad = MainTest.run("convert", f.toString(), "--out", npy.toString(), "--dtype", "int8");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--dtype int8: use float64 or float32"), bad.err());
    }

    @Test
    void fortranFloat32NpyAndBadFilesGetClearMessages() throws IOException {
        Random r = new Random(2);
        double[][] x = new double[500][2];
        Path y = dir.resolve("y.npy");
        try (NpyWriter w = new NpyWriter(y, 1, true)) {
            for (double[] row : x) {
                row[0] = r.nextGaussian();
                row[1] = r.nextGaussian();
                w.row(2 * row[0] - row[1] + 0.5);
            }
            w.commit();
        }
        double[] flat = new double[2 * x.length];
        for (int i = 0; i < x.length; i++) System.arraycopy(x[i], 0, flat, 2 * i, 2);
        io.descent.data.NpyFiles.write(dir.resolve("xf.npy"), x.length, 2, flat, false, true, false);
        List<Double> p = params(MainTest.run("train", "--npy", dir.resolve("xf.npy").toString(), "--npy-target", y.toString(),
                "--optimizer", "newton", "--json", "--no-progress"));
        assertEquals(0.5, p.get(0), 1e-5, "intercept");
        assertEquals(2, p.get(1), 1e-5);
        assertEquals(-1, p.get(2), 1e-5);
        Files.writeString(dir.resolve("junk.npy"), "not an npy");
        Path bad = dir.resolve("i8.npy");
        byte[] good = Files.readAllBytes(dir.resolve("xf.npy"));
        Files.write(bad, new String(good, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<i8'").getBytes(StandardCharsets.ISO_8859_1));
        for (String[] c : new String[][]{{"junk.npy", "not an .npy file"}, {"i8.npy", "dtype '<i8'"}, {"none.npy", "no such file"}}) {
            MainTest.Result e = MainTest.run("train", "--npy", dir.resolve(c[0]).toString(), "--npy-target", y.toString(),
                    "--no-progress");
            assertEquals(2, e.code(), e.err());
            assertTrue(e.err().contains(c[1]) && e.err().contains(c[0]), e.err());
        }
        MainTest.Result shape = MainTest.run("train", "--npy", y.toString(), "--npy-target", y.toString(), "--no-progress");
        assertTrue(shape.err().contains("must be a 2-D array"), shape.err());
    }

    /** A child JVM: its own heap limit, or its own OpenCL devices. */
    private static MainTest.Result child(Map<String, String> env, String xmx, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                xmx, "-cp", System.getProperty("java.class.path"), "io.descent.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        return new MainTest.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void anNpyLargerThanTheHeapTrains() throws Exception {
        int rows = 2_000_000, cols = 4; // 64 MB of features, 16 MB of targets; the child's heap is 48 MB
        Path x = dir.resolve("big-x.npy"), y = dir.resolve("big-y.npy");
        Random r = new Random(3);
        try (NpyWriter wx = new NpyWriter(x, cols, false); NpyWriter wy = new NpyWriter(y, 1, true)) {
            double[] row = new double[cols];
            for (int i = 0; i < rows; i++) {
                double t = 1;
                for (int j = 0; j < cols; j++) {
                    row[j] = r.nextGaussian();
                    t += (j + 1) * row[j];
                }
                wx.row(row);
                wy.row(t);
            }
            wx.commit();
            wy.commit();
        }
        assertTrue(Files.size(x) > 48L << 20);
        MainTest.Result r2 = child(Map.of(), "-Xmx48m", "train", "--npy", x.toString(), "--npy-target", y.toString(), "--optimizer",
                "gd:lr=0.2", "--steps", "5", "--device-memory", "32M", "--json", "--no-progress");
        assertEquals(0, r2.code(), r2.err());
        assertTrue(r2.err().contains("streaming 2000000 rows"), r2.err());
        Map<?, ?> j = (Map<?, ?>) Json.parse(r2.out());
        // the same run with the heap and the device to spare: the same loss, to float32 rounding
        MainTest.Result free = MainTest.run("train", "--npy", x.toString(), "--npy-target", y.toString(), "--optimizer",
                "gd:lr=0.2", "--steps", "5", "--json", "--no-progress");
        assertEquals(0, free.code(), free.err());
        double expected = ((Number) ((Map<?, ?>) Json.parse(free.out())).get("final_loss")).doubleValue();
        assertEquals(expected, ((Number) j.get("final_loss")).doubleValue(), 1e-5 * expected, "48 MB heap, streamed");
    }

    @Test
    void twoPoclDevicesTrainAsOne() throws Exception {
        Map<String, String> two = Map.of("POCL_DEVICES", "pthread pthread");
        MainTest.Result devices = child(two, "-Xmx1g", "devices");
        assertTrue(devices.out().contains(" 1  pthread"), "two devices: " + devices.out());
        for (String opt : new String[]{"lbfgs", "newton", "adam:lr=0.1"}) {
            String[] common = {"train", "--scenario", "line-100", "--optimizer", opt, "--steps", "20", "--precision", "fp64",
                    "--json", "--no-progress"};
            MainTest.Result single = child(two, "-Xmx1g", common);
            MainTest.Result split = child(two, "-Xmx1g", CommandsTest.concat(common, "--data-parallel", "all"));
            assertTrue(split.err().contains("data parallel over 2 devices"), split.err());
            // the sums split differently (and the split follows measured speeds), so after 20 steps the losses agree to
            // rounding and the parameters to what the loss's flat directions leave of it (f = 7.9 +- 1e-15 moves w by ~1e-8)
            double a = ((Number) ((Map<?, ?>) Json.parse(single.out())).get("final_loss")).doubleValue();
            double b = ((Number) ((Map<?, ?>) Json.parse(split.out())).get("final_loss")).doubleValue();
            assertEquals(a, b, 1e-12 * a, opt + ": final loss on two devices");
            same(params(single), params(split), 1e-6, opt + " on two devices");
        }
        // a memory-mapped .npy, each device's block streamed through 64 KB of device memory
        Path f = csv(4000);
        assertEquals(0, MainTest.run("convert", f.toString(), "--target", "y", "--out", dir.resolve("dp").toString()).code());
        String[] npy = {"train", "--npy", dir.resolve("dp/X.npy").toString(), "--npy-target", dir.resolve("dp/y.npy").toString(),
                "--optimizer", "lbfgs", "--steps", "15", "--precision", "fp64", "--json", "--no-progress"};
        MainTest.Result one = child(two, "-Xmx1g", npy);
        MainTest.Result both = child(two, "-Xmx1g", CommandsTest.concat(npy, "--data-parallel", "all", "--device-memory", "64K"));
        assertTrue(both.err().contains("data parallel over 2 devices") && both.err().contains("streaming"), both.err());
        double a = ((Number) ((Map<?, ?>) Json.parse(one.out())).get("final_loss")).doubleValue();
        double b = ((Number) ((Map<?, ?>) Json.parse(both.out())).get("final_loss")).doubleValue();
        assertEquals(a, b, 1e-12 * a, "npy, streamed on two devices");
    }
}
