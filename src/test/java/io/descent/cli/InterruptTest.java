package io.descent.cli;

import io.descent.report.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C (here SIGTERM, which runs the same shutdown hooks) stops a long run at a step boundary
 * and writes its checkpoint, which a later run resumes from.
 */
class InterruptTest {
    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void aSignalWritesTheCheckpointAndTheRunResumesFromIt() throws Exception {
        Path ckpt = dir.resolve("run.ckpt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.descent.cli.Main", "train", "--scenario", "mlp-10k", "--optimizer", "gd", "--steps", "100000000",
                "--checkpoint", ckpt.toString(), "--no-progress", "--record-every", "10");
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("out.txt").toFile());
        Process p = pb.start();
        // let training get under way (data, kernel builds, then steps at about 1 ms each)
        Thread.sleep(4000);
        assertTrue(p.isAlive(), "still training: " + Files.readString(dir.resolve("out.txt")));
        p.destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped after the signal");
        assertTrue(Files.exists(ckpt), "checkpoint written on the signal: " + Files.readString(dir.resolve("out.txt")));
        Map<String, Object> c = (Map<String, Object>) Json.parse(Files.readString(ckpt));
        long step = ((Number) c.get("step")).longValue();
        assertTrue(step > 0 && step < 100_000_000L, "stopped part-way: step " + step);
        assertEquals("gd", c.get("optimizer"));
        assertEquals(771, ((List<Object>) c.get("params")).size());
        MainTest.Result r = MainTest.run("train", "--scenario", "mlp-10k", "--optimizer", "gd", "--steps",
                Long.toString(step + 5), "--resume", ckpt.toString(), "--json", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals((double) (step + 5), ((Map<String, Object>) Json.parse(r.out())).get("steps"));
        assertTrue(new File(ckpt.toString()).length() > 1000);
    }
}
