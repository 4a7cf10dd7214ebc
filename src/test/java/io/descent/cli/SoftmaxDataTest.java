package io.descent.cli;

import io.descent.data.NpyWriter;
import io.descent.report.AtomicFile;
import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Softmax classes are counted once over all the rows: from .npy files, and when the rows stream
 * through the device in chunks, the first of which lacks the last class; Spark, whose partitions
 * would each count their own, is refused before it starts.
 */
class SoftmaxDataTest {
    @TempDir
    Path dir;

    /** 3000 rows of 3 features, labels 0, 1, 2 by the feature signs, sorted by label. */
    private Path[] npy() throws IOException {
        Random r = new Random(8);
        double[][] rows = new double[3000][];
        for (int i = 0; i < rows.length; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            rows[i] = new double[]{a, b, r.nextGaussian(), (a > 0 ? 1 : 0) + (b > 0.5 ? 1 : 0)};
        }
        java.util.Arrays.sort(rows, java.util.Comparator.comparingDouble(x -> x[3]));
        Path x = dir.resolve("X.npy"), y = dir.resolve("y.npy");
        try (NpyWriter wx = new NpyWriter(x, 3, false); NpyWriter wy = new NpyWriter(y, 1, true)) {
            for (double[] row : rows) {
                wx.row(row[0], row[1], row[2]);
                wy.row(row[3]);
            }
            AtomicFile.commitAll(List.of(wx.finish(), wy.finish()));
        }
        return new Path[]{x, y};
    }

    @Test
    @SuppressWarnings("unchecked")
    void npyDataWholeAndStreamedInChunksGetEveryClass() throws IOException {
        Path[] f = npy();
        for (String memory : new String[]{null, "64K"}) { // 64 KB of device memory: chunks of a few hundred rows
            List<String> args = new java.util.ArrayList<>(List.of("train", "--npy", f[0].toString(), "--npy-target",
                    f[1].toString(), "--objective", "softmax", "--optimizer", "adam:lr=0.05", "--steps", "20", "--json",
                    "--no-progress"));
            if (memory != null) args.addAll(List.of("--device-memory", memory));
            MainTest.Result r = MainTest.run(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            if (memory != null) assertTrue(r.err().contains("in chunks of"), "streamed: " + r.err());
            Map<String, Object> j = (Map<String, Object>) Json.parse(r.out());
            assertEquals(4 * 3, ((List<?>) j.get("params")).size(), "(3 features + bias) x 3 classes");
            assertTrue(((Number) j.get("final_loss")).doubleValue() < Math.log(3), "below chance: " + j.get("final_loss"));
        }
    }

    @Test
    void softmaxOnSparkIsRefusedBeforeSparkStarts() throws IOException {
        Path[] f = npy();
        for (String[] model : new String[][]{{"--objective", "softmax"}, {"--objective", "mlp", "--loss", "softmax"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("spark", "train", "--master", "local[1]", "--npy",
                    f[0].toString(), "--npy-target", f[1].toString(), "--steps", "2", "--no-progress"));
            args.addAll(List.of(model));
            MainTest.Result r = MainTest.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("softmax on Spark is not supported yet"), r.err());
        }
    }
    @Test
    @SuppressWarnings("unchecked")
    void npyTrainingTakesHeldOutNpyRowsWholeAndStreamed() throws IOException {
        Path[] f = npy();
        Random r = new Random(9);
        Path hx = dir.resolve("hx.npy"), hy = dir.resolve("hy.npy");
        try (NpyWriter wx = new NpyWriter(hx, 3, false); NpyWriter wy = new NpyWriter(hy, 1, true)) {
            for (int i = 0; i < 301; i++) {
                double a = r.nextGaussian(), b = r.nextGaussian();
                wx.row(a, b, r.nextGaussian());
                wy.row((a > 0 ? 1 : 0) + (b > 0.5 ? 1 : 0));
            }
            AtomicFile.commitAll(List.of(wx.finish(), wy.finish()));
        }
        for (String memory : new String[]{null, "64K"}) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--npy", f[0].toString(), "--npy-target",
                    f[1].toString(), "--objective", "softmax", "--standardize", "--optimizer", "adam:lr=0.05", "--steps", "30",
                    "--validation-npy", hx.toString(), "--validation-npy-target", hy.toString(), "--early-stop", "50",
                    "--json", "--no-progress"));
            if (memory != null) args.addAll(List.of("--device-memory", memory));
            MainTest.Result res = MainTest.run(args.toArray(String[]::new));
            assertEquals(0, res.code(), res.err());
            Map<String, Object> j = (Map<String, Object>) Json.parse(res.out());
            Map<String, Object> v = (Map<String, Object>) j.get("validation");
            List<List<Number>> losses = (List<List<Number>>) v.get("losses");
            assertEquals(30, losses.size(), "a validation loss after every step: " + v);
            double first = losses.get(0).get(1).doubleValue(), best = ((Number) v.get("best_loss")).doubleValue();
            assertTrue(best < 0.8 * first, "the held-out loss falls: " + first + " -> " + best);
        }
        MainTest.Result wrong = MainTest.run("train", "--npy", f[0].toString(), "--npy-target", f[1].toString(), "--objective",
                "softmax", "--steps", "2", "--validation-npy", hx.toString(), "--no-progress");
        assertEquals(2, wrong.code(), wrong.err());
        assertTrue(wrong.err().contains("--validation-npy-target"), wrong.err());
        MainTest.Result frac = MainTest.run("train", "--npy", f[0].toString(), "--npy-target", f[1].toString(), "--objective",
                "softmax", "--steps", "2", "--validation", "0.2", "--no-progress");
        assertEquals(2, frac.code(), frac.err());
        assertTrue(frac.err().contains("--validation-npy X.npy"), frac.err());
    }
}
